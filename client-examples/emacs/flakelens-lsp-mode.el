;;; flakelens-lsp-mode.el --- flakelens with lsp-mode  -*- lexical-binding: t; -*-

;; lsp-mode runs several servers per buffer: with :add-on? t flakelens runs next to ts-ls.
;; Works as written on Emacs 28 (Debian 12: apt install elpa-lsp-mode; tested in CI) and on Emacs 29/30.
;;
;; Which server runs:
;;  - by default the project's own flakelens (node_modules/.bin, see the README's install section) through
;;    `npx --no-install`, which never downloads anything. (Not `npx --no flakelens --stdio`: current npm takes
;;    `--no` without a value and hands `--stdio` to npm itself, so the server exits 2.)
;;  - with the environment variable FLAKELENS_BIN set, that file: a plain path to the bin of a clone or a global
;;    install, e.g. FLAKELENS_BIN=~/src/flakelens/server/dist/bin/cli.js (run with node).
;;
;; TypeScript buffers need a major mode (lsp-mode itself picks the language from the file name):
;;  - Emacs 29/30 with the tree-sitter TypeScript grammar (M-x treesit-install-language-grammar): typescript-ts-mode
;;    and tsx-ts-mode;
;;  - the typescript-mode package, if installed;
;;  - otherwise (Emacs 28 has no TypeScript mode; .ts would open in fundamental-mode) the minimal
;;    `flakelens-typescript-mode' below, derived from js-mode.

(require 'treesit nil t)

(unless (or (and (fboundp 'treesit-ready-p) (treesit-ready-p 'typescript t))
            (fboundp 'typescript-mode)
            (fboundp 'flakelens-typescript-mode))
  (define-derived-mode flakelens-typescript-mode js-mode "TypeScript"
    "Minimal TypeScript mode (JavaScript highlighting) for Emacs without one.")
  (add-to-list 'auto-mode-alist '("\\.[cm]?tsx?\\'" . flakelens-typescript-mode)))

(when (and (fboundp 'treesit-ready-p) (treesit-ready-p 'typescript t))
  ;; Emacs 29 does not map .ts files to typescript-ts-mode by itself.
  (add-to-list 'auto-mode-alist '("\\.[cm]?ts\\'" . typescript-ts-mode))
  (when (treesit-ready-p 'tsx t)
    (add-to-list 'auto-mode-alist '("\\.tsx\\'" . tsx-ts-mode))))

(defun flakelens-server-command ()
  "The command that starts the flakelens language server (see FLAKELENS_BIN above)."
  (let ((bin (getenv "FLAKELENS_BIN")))
    (if (and bin (> (length bin) 0))
        (list "node" (expand-file-name bin) "--stdio")
      (list "npx" "--no-install" "flakelens" "--stdio"))))

(with-eval-after-load 'lsp-mode
  (defgroup lsp-flakelens nil "flakelens flaky-test audit." :group 'lsp-mode)

  (defcustom lsp-flakelens-rules '(("fixed-sleep" . "error"))
    "Rule id to severity (error, warning, info, hint, off), over flakelens.config.json."
    :type '(alist :key-type string :value-type string)
    :group 'lsp-flakelens)

  ;; Answered to workspace/configuration (section "flakelens").
  (lsp-register-custom-settings
   '(("flakelens.rules" (lambda () (mapcar (lambda (pair) (cons (intern (car pair)) (cdr pair))) lsp-flakelens-rules)))))

  (lsp-register-client
   (make-lsp-client
    :new-connection (lsp-stdio-connection #'flakelens-server-command)
    :activation-fn (lsp-activate-on "typescript" "typescriptreact" "javascript" "javascriptreact")
    :server-id 'flakelens
    :add-on? t
    :priority -1
    :initialized-fn (lambda (workspace)
                      (with-lsp-workspace workspace
                        (lsp--set-configuration (lsp-configuration-section "flakelens")))))))

;; M-x lsp in a test file (or (add-hook 'flakelens-typescript-mode-hook #'lsp-deferred));
;; quick fixes: M-x lsp-execute-code-action; hover: M-x lsp-describe-thing-at-point.

(provide 'flakelens-lsp-mode)
;;; flakelens-lsp-mode.el ends here
