;;; common.el --- shared by the batch-mode Emacs drivers  -*- lexical-binding: t; -*-

;; Emacs in --batch has no command loop: post-command-hook never runs and idle timers never fire, yet eglot sends
;; didChange from an idle timer and flymake starts from post-command-hook. `fl-command' and `fl-wait' stand in for
;; the command loop: after each simulated command the hook runs, and while waiting Emacs counts as idle, so idle
;; timers fire once per idle period after their delay, as they would for a user who stopped typing.

;; Normal startup activates installed packages (their autoloads) before the init file; batch mode does not.
(package-initialize)

(require 'cl-lib)
(require 'json)
(require 'subr-x)

(defvar fl-out (getenv "FLAKELENS_EDITOR_OUT"))
(defvar fl-file (getenv "FLAKELENS_EDITOR_FILE"))
(defvar fl-edit-line (string-to-number (or (getenv "FLAKELENS_EDITOR_EDIT_LINE") "0")))
(defvar fl-hover-line (string-to-number (or (getenv "FLAKELENS_EDITOR_HOVER_LINE") "0")))
(defvar fl-hover-col (string-to-number (or (getenv "FLAKELENS_EDITOR_HOVER_COL") "0")))
(defvar fl-timeout 60)
(defvar fl-result nil "Alist written to `fl-out' as JSON.")
(defvar fl-idle-since (float-time))
(defvar fl-fired nil "Idle timers already run in this idle period.")

(defun fl-put (key value) (push (cons key value) fl-result))
(defun fl-now-ms () (* 1000.0 (float-time)))

(defun fl-command (fn)
  "Run FN as an interactive command would run: then post-command-hook, and a new idle period starts."
  (prog1 (funcall fn)
    (run-hooks 'post-command-hook)
    (setq fl-idle-since (float-time) fl-fired nil)))

(defun fl-run-idle-timers ()
  (let ((idle (- (float-time) fl-idle-since)))
    (dolist (timer (copy-sequence timer-idle-list))
      (when (and (memq timer timer-idle-list)
                 (not (memq timer fl-fired))
                 (<= (float-time (timer--time timer)) idle))
        (push timer fl-fired)
        (timer-event-handler timer)))))

(defun fl-wait (what predicate)
  "Poll PREDICATE (bounded by `fl-timeout' seconds), serving processes, timers and idle timers meanwhile."
  (let ((deadline (+ (float-time) fl-timeout)) value)
    (while (not (setq value (funcall predicate)))
      (when (> (float-time) deadline) (error "Timed out waiting for %s" what))
      (accept-process-output nil 0.01)
      (fl-run-idle-timers))
    value))

(defun fl-line-col (pos)
  "Zero-based line and column of POS (the test files are ASCII, so columns are UTF-16 units too)."
  (save-excursion
    (goto-char pos)
    (cons (1- (line-number-at-pos pos)) (current-column))))

(defun fl-pos (line col)
  (save-excursion
    (goto-char (point-min))
    (forward-line line)
    (+ (point) col)))

(defun fl-edit-column ()
  "Column just after `it' on the edit line."
  (save-excursion
    (goto-char (fl-pos fl-edit-line 0))
    (unless (search-forward "it(" (line-end-position) t) (error "No it( on line %d" fl-edit-line))
    (- (point) 1 (line-beginning-position))))

(defun fl-finish (error-message)
  (when error-message
    (fl-put 'error error-message)
    (fl-put 'messages (with-current-buffer (messages-buffer) (buffer-string))))
  (with-temp-file fl-out
    (insert (json-encode fl-result))))

(provide 'fl-common)
;;; common.el ends here
