;;; dape.el --- Emacs (dape): debug the clock51 firmware in clock51-sim  -*- lexical-binding: t -*-
;; Evaluate this (or add it to your init file), open firmware/src/*.c, then M-x dape and
;; choose a configuration. Keys without a colon are dape's; keys with one go to the
;; adapter's attach/launch request.

(with-eval-after-load 'dape
  ;; a simulator you started yourself: .venv/bin/clock51-sim run --dap 4711 --web 0
  (add-to-list 'dape-configs
               '(clock51-attach
                 modes (c-mode c-ts-mode)
                 host "127.0.0.1"
                 port 4711
                 :type "clock51"
                 :request "attach"))
  ;; reset the MCU and stop at main(); the simulator keeps running afterwards
  (add-to-list 'dape-configs
               '(clock51-launch
                 modes (c-mode c-ts-mode)
                 host "127.0.0.1"
                 port 4711
                 :type "clock51"
                 :request "launch"
                 :stopOnEntry t
                 :onDisconnect "run")))
