;;; flakelens-eglot.el --- flakelens with eglot  -*- lexical-binding: t; -*-

;; Note: eglot manages ONE server per project and major-mode group ("buffer group"). Registering
;; flakelens for the TypeScript/JavaScript modes therefore replaces typescript-language-server in
;; those buffers rather than running next to it. Options:
;;  - use flakelens alone for those modes in test-heavy projects (M-x eglot with C-u asks for the command);
;;  - run both through an LSP multiplexer that eglot sees as a single server;
;;  - or use lsp-mode (flakelens-lsp-mode.el), which runs flakelens as an add-on next to ts-ls.
;; eglot is built in from Emacs 29; on Emacs 28 install it from GNU ELPA (Debian 12: apt install elpa-eglot).
;; The workspace root is project.el's project (the version-control root by default).
;; Hover is plain text unless markdown-mode is installed (eglot then asks for markdown).

(with-eval-after-load 'eglot
  (add-to-list 'eglot-server-programs
               `((typescript-ts-mode tsx-ts-mode js-ts-mode typescript-mode js-mode)
                 . ("npx" "--no" "flakelens" "--stdio"
                    ;; Sent as initializationOptions.
                    :initializationOptions (:flakelens (:rules (:fixed-sleep "error")))))))

;; Answered to workspace/configuration (section "flakelens"), e.g. in the project's .dir-locals.el:
;; ((nil . ((eglot-workspace-configuration . (:flakelens (:rules (:floating-promise "error")))))))

;; M-x eglot in a test file; quick fixes: M-x eglot-code-actions; why it is flaky: M-x eldoc.

(provide 'flakelens-eglot)
;;; flakelens-eglot.el ends here
