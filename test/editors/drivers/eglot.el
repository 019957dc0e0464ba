;;; eglot.el --- drives eglot in batch Emacs with client-examples/emacs/flakelens-eglot.el  -*- lexical-binding: t; -*-

;; Loaded after the example (emacs --batch -l common.el -l <example> -l eglot.el). Opens the test file, starts eglot
;; as M-x eglot does, reads flymake's diagnostics, types `.only', applies the quick fix through
;; `eglot-code-actions' (the user picks "Remove .only"), and hovers. The result goes to $FLAKELENS_EDITOR_OUT.

(require 'eglot)
(require 'flymake)

(defun fl-flymake-objects ()
  (delq nil (mapcar (lambda (ov) (overlay-get ov 'flymake-diagnostic)) (overlays-in (point-min) (point-max)))))

(defun fl-diagnostics ()
  "flakelens diagnostics where flymake shows them: its overlays' current positions."
  (let (list)
    (dolist (ov (overlays-in (point-min) (point-max)))
      (let* ((d (overlay-get ov 'flymake-diagnostic))
             (lsp (and d (cdr (assoc 'eglot-lsp-diag (flymake-diagnostic-data d))))))
        (when (equal (plist-get lsp :source) "flakelens")
          (let ((beg (fl-line-col (overlay-start ov))) (end (fl-line-col (overlay-end ov))))
            (push `((code . ,(plist-get lsp :code)) (severity . ,(plist-get lsp :severity))
                    (message . ,(plist-get lsp :message))
                    (href . ,(plist-get (plist-get lsp :codeDescription) :href))
                    (type . ,(symbol-name (flymake-diagnostic-type d)))
                    (line . ,(car beg)) (character . ,(cdr beg)) (endLine . ,(car end)) (endCharacter . ,(cdr end)))
                  list)))))
    (sort list (lambda (a b) (or (< (alist-get 'line a) (alist-get 'line b))
                                 (and (= (alist-get 'line a) (alist-get 'line b))
                                      (< (alist-get 'character a) (alist-get 'character b))))))))

(defun fl-focus-at (line)
  (cl-find-if (lambda (d) (and (equal (alist-get 'code d) "focused-test") (= (alist-get 'line d) line)))
              (fl-diagnostics)))

(let (failure before-fix)
  (condition-case err
      (catch 'fl-done
        (fl-put 'editor (format "emacs %s, eglot %s" emacs-version
                                (or (ignore-errors (package-version-join (package-desc-version (cadr (assq (quote eglot) package-alist))))) "?")))
        (fl-command (lambda () (find-file fl-file)))
        (fl-put 'mode (symbol-name major-mode))
        (let ((opened (fl-now-ms)))
          (fl-command (lambda () (call-interactively #'eglot)))
          (fl-wait "eglot to manage the buffer" (lambda () (eglot-current-server)))
          (fl-wait "flakelens diagnostics" #'fl-diagnostics)
          (fl-put 'firstDiagnosticsMs (- (fl-now-ms) opened)))
        (fl-put 'initial (fl-diagnostics))
        (when (equal (getenv "FLAKELENS_EDITOR_STEPS") "startup") (throw 'fl-done nil))
        ;; Type `.only' after `it' on the edit line.
        (let ((col (fl-edit-column)) (started (fl-now-ms)))
          (fl-command (lambda () (goto-char (fl-pos fl-edit-line col)) (insert ".only")))
          (fl-wait "a focused-test diagnostic on the edited line" (lambda () (fl-focus-at fl-edit-line)))
          (fl-put 'editLatencyMs (- (fl-now-ms) started))
          (fl-put 'afterEdit (fl-diagnostics))
          (setq before-fix (fl-flymake-objects))
          ;; M-x eglot-code-actions on the diagnostic; the user picks "Remove .only".
          (let* ((d (fl-focus-at fl-edit-line))
                 (beg (fl-pos fl-edit-line (alist-get 'character d)))
                 (end (fl-pos fl-edit-line (alist-get 'endCharacter d)))
                 (offered nil)
                 (last-nonmenu-event 13))
            (cl-letf (((symbol-function 'completing-read)
                       (lambda (_prompt collection &rest _)
                         (setq offered (mapcar (lambda (c) (if (consp c) (car c) c)) collection))
                         "Remove .only")))
              (fl-command (lambda () (eglot-code-actions beg end nil t))))
            (fl-put 'offered offered))
          (fl-wait "the quick fix to edit the buffer"
                   (lambda () (not (string-match-p "\\.only" (buffer-substring (fl-pos fl-edit-line 0) (fl-pos (1+ fl-edit-line) 0))))))
          (fl-put 'fixedLine (string-trim-right (buffer-substring-no-properties (fl-pos fl-edit-line 0) (fl-pos (1+ fl-edit-line) 0)) "\n"))
          ;; A new report from the server replaces every flymake diagnostic (edits alone only move overlays).
          (fl-wait "diagnostics for the fixed text"
                   (lambda () (and (not (cl-intersection before-fix (fl-flymake-objects))) (not (fl-focus-at fl-edit-line)))))
          (fl-put 'afterFix (fl-diagnostics))
          (fl-put 'text (buffer-substring-no-properties (point-min) (point-max))))
        ;; Hover, as eldoc asks for it at point.
        (goto-char (fl-pos fl-hover-line fl-hover-col))
        (let ((hover (jsonrpc-request (eglot-current-server) :textDocument/hover (eglot--TextDocumentPositionParams))))
          (fl-put 'hover (let ((contents (plist-get hover :contents)))
                           (if (stringp contents) contents (plist-get contents :value))))))
    (error (setq failure (error-message-string err))))
  (when (and failure (eglot-current-server))
    (fl-put 'events (with-current-buffer (jsonrpc-events-buffer (eglot-current-server))
                      (let ((text (buffer-string))) (substring text (max 0 (- (length text) 6000)))))))
  (fl-finish failure)
  (ignore-errors (eglot-shutdown (eglot-current-server)))
  (kill-emacs 0))
