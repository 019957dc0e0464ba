;;; flakelens-eglot.el --- flakelens with eglot  -*- lexical-binding: t; -*-

;; Works as written on Emacs 28 (Debian 12: apt install elpa-eglot; tested in CI) and on Emacs 29/30, where eglot is
;; built in.
;;
;; Which server runs:
;;  - by default the project's own flakelens (node_modules/.bin, see the README's install section) through
;;    `npx --no-install`, which never downloads anything. (Not `npx --no flakelens --stdio`: current npm takes
;;    `--no` without a value and hands `--stdio` to npm itself, so the server exits 2.)
;;  - with the environment variable FLAKELENS_BIN set, that file: a plain path to the bin of a clone or a global
;;    install, e.g. FLAKELENS_BIN=~/src/flakelens/server/dist/bin/cli.js (run with node).
;;
;; TypeScript buffers need a major mode:
;;  - Emacs 29/30 with the tree-sitter TypeScript grammar (M-x treesit-install-language-grammar): typescript-ts-mode
;;    and tsx-ts-mode;
;;  - the typescript-mode package, if installed;
;;  - otherwise (Emacs 28 has no TypeScript mode at all, and .ts would open in fundamental-mode where eglot never
;;    starts) the minimal `flakelens-typescript-mode' below, derived from js-mode.
;;
;; Note: eglot manages ONE server per project and major-mode group ("buffer group"). Registering
;; flakelens for the TypeScript/JavaScript modes therefore replaces typescript-language-server in
;; those buffers rather than running next to it. Options:
;;  - use flakelens alone for those modes in test-heavy projects (M-x eglot with C-u asks for the command);
;;  - run both through an LSP multiplexer that eglot sees as a single server;
;;  - or use lsp-mode (flakelens-lsp-mode.el), which runs flakelens as an add-on next to ts-ls.
;; The workspace root is project.el's project (the version-control root by default).
;; Hover is plain text unless markdown-mode is installed (eglot then asks for markdown).

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

(with-eval-after-load 'eglot
  (add-to-list 'eglot-server-programs
               `(((flakelens-typescript-mode :language-id "typescript")
                  (typescript-ts-mode :language-id "typescript")
                  (tsx-ts-mode :language-id "typescriptreact")
                  (typescript-mode :language-id "typescript")
                  (js-ts-mode :language-id "javascript")
                  (js-mode :language-id "javascript"))
                 . (,@(flakelens-server-command)
                    ;; Sent as initializationOptions.
                    :initializationOptions (:flakelens (:rules (:fixed-sleep "error")))))))

;; Answered to workspace/configuration (section "flakelens"), e.g. in the project's .dir-locals.el:
;; ((nil . ((eglot-workspace-configuration . (:flakelens (:rules (:floating-promise "error")))))))

;; M-x eglot in a test file (or (add-hook 'flakelens-typescript-mode-hook #'eglot-ensure));
;; quick fixes: M-x eglot-code-actions; why it is flaky: M-x eldoc.

(provide 'flakelens-eglot)
;;; flakelens-eglot.el ends here
