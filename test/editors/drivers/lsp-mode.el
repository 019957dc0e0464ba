;;; lsp-mode.el --- drives lsp-mode in batch Emacs with client-examples/emacs/flakelens-lsp-mode.el  -*- lexical-binding: t; -*-

;; Loaded after the example (emacs --batch -l common.el -l <example> -l lsp-mode.el). Opens the test file, runs
;; M-x lsp, reads the diagnostics where flymake shows them, types `.only', applies the quick fix through
;; M-x lsp-execute-code-action (the user picks "Remove .only"), and hovers. The result goes to $FLAKELENS_EDITOR_OUT.

(require 'lsp-mode)
(require 'flymake)

;; A user's answers to lsp-mode's first-run questions: the project root is the version-control root, the session
;; file lives in the scratch HOME, and only flakelens is wanted (no offers to download other servers).
(setq lsp-auto-guess-root t
      lsp-session-file (expand-file-name "lsp-session" temporary-file-directory)
      lsp-enable-suggest-server-download nil
      lsp-enabled-clients '(flakelens)
      lsp-restart 'ignore
      lsp-log-io (getenv "FLAKELENS_EDITOR_LOG"))

(defun fl-raw-diagnostics ()
  (gethash (lsp--fix-path-casing buffer-file-name) (lsp-diagnostics t)))

(defun fl-diagnostics ()
  "flakelens diagnostics where flymake shows them (overlay positions); code and severity from lsp-mode's store."
  (let ((raw (fl-raw-diagnostics)) list)
    (dolist (ov (overlays-in (point-min) (point-max)))
      (let* ((d (overlay-get ov 'flymake-diagnostic))
             (lsp (and d (cl-find-if (lambda (r) (equal (gethash "message" r) (flymake-diagnostic-text d))) raw))))
        (when (and lsp (equal (gethash "source" lsp) "flakelens"))
          (let ((beg (fl-line-col (overlay-start ov))) (end (fl-line-col (overlay-end ov))))
            (push `((code . ,(gethash "code" lsp)) (severity . ,(gethash "severity" lsp))
                    (message . ,(gethash "message" lsp))
                    (href . ,(let ((desc (gethash "codeDescription" lsp))) (and desc (gethash "href" desc))))
                    (type . ,(format "%s" (flymake-diagnostic-type d)))
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
        (fl-put 'editor (format "emacs %s, lsp-mode %s" emacs-version
                                (or (ignore-errors (package-version-join (package-desc-version (cadr (assq 'lsp-mode package-alist))))) "?")))
        (fl-command (lambda () (find-file fl-file)))
        (fl-put 'mode (symbol-name major-mode))
        (let ((opened (fl-now-ms)))
          (fl-command (lambda () (call-interactively #'lsp)))
          (fl-wait "lsp-mode to connect flakelens"
                   (lambda () (cl-find-if (lambda (w) (and (eq (lsp--workspace-status w) 'initialized)
                                                           (eq (lsp--client-server-id (lsp--workspace-client w)) 'flakelens)))
                                          (lsp-workspaces))))
          (fl-wait "flakelens diagnostics" #'fl-diagnostics)
          (fl-put 'firstDiagnosticsMs (- (fl-now-ms) opened)))
        (fl-put 'initial (fl-diagnostics))
        (when (equal (getenv "FLAKELENS_EDITOR_STEPS") "startup") (throw 'fl-done nil))
        (let ((col (fl-edit-column)) (started (fl-now-ms)))
          (fl-command (lambda () (goto-char (fl-pos fl-edit-line col)) (insert ".only")))
          (fl-wait "a focused-test diagnostic on the edited line" (lambda () (fl-focus-at fl-edit-line)))
          (fl-put 'editLatencyMs (- (fl-now-ms) started))
          (fl-put 'afterEdit (fl-diagnostics))
          (setq before-fix (fl-raw-diagnostics))
          ;; M-x lsp-execute-code-action on the diagnostic's line; the user picks "Remove .only".
          (goto-char (fl-pos fl-edit-line (1+ col)))
          (let (offered)
            (cl-letf (((symbol-function 'completing-read)
                       (lambda (_prompt collection &rest _)
                         (setq offered (mapcar (lambda (c) (if (consp c) (car c) c)) collection))
                         (or (cl-find "Remove .only" offered :test #'equal) (car offered)))))
              (fl-command (lambda () (call-interactively #'lsp-execute-code-action))))
            (fl-put 'offered offered))
          (fl-wait "the quick fix to edit the buffer"
                   (lambda () (not (string-match-p "\\.only" (buffer-substring (fl-pos fl-edit-line 0) (fl-pos (1+ fl-edit-line) 0))))))
          (fl-put 'fixedLine (string-trim-right (buffer-substring-no-properties (fl-pos fl-edit-line 0) (fl-pos (1+ fl-edit-line) 0)) "\n"))
          ;; A new publish from the server replaces lsp-mode's list (flymake may redisplay the old one meanwhile).
          (fl-wait "diagnostics for the fixed text"
                   (lambda () (and (not (eq before-fix (fl-raw-diagnostics))) (not (fl-focus-at fl-edit-line)))))
          (fl-put 'afterFix (fl-diagnostics))
          (fl-put 'text (buffer-substring-no-properties (point-min) (point-max))))
        (goto-char (fl-pos fl-hover-line fl-hover-col))
        (let ((hover (lsp-request "textDocument/hover" (lsp--text-document-position-params))))
          (fl-put 'hover (let ((contents (and hover (gethash "contents" hover))))
                           (if (stringp contents) contents (and contents (gethash "value" contents)))))))
    (error (setq failure (error-message-string err))))
  (when (or failure (getenv "FLAKELENS_EDITOR_LOG"))
    (dolist (buffer (buffer-list))
      (when (string-match-p "flakelens\\|lsp-log" (buffer-name buffer))
        (fl-put (intern (buffer-name buffer)) (with-current-buffer buffer (buffer-string))))))
  (fl-finish failure)
  (ignore-errors (lsp-workspace-shutdown (car (lsp-workspaces))))
  (kill-emacs 0))
