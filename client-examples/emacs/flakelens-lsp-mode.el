;;; flakelens-lsp-mode.el --- flakelens with lsp-mode  -*- lexical-binding: t; -*-

;; lsp-mode runs several servers per buffer: with :add-on? t flakelens runs next to ts-ls.

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
    :new-connection (lsp-stdio-connection '("npx" "--no" "flakelens" "--stdio"))
    :activation-fn (lsp-activate-on "typescript" "typescriptreact" "javascript" "javascriptreact")
    :server-id 'flakelens
    :add-on? t
    :priority -1
    :initialized-fn (lambda (workspace)
                      (with-lsp-workspace workspace
                        (lsp--set-configuration (lsp-configuration-section "flakelens")))))))

;; Quick fixes: M-x lsp-execute-code-action; hover: M-x lsp-describe-thing-at-point.

(provide 'flakelens-lsp-mode)
;;; flakelens-lsp-mode.el ends here
