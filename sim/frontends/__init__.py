"""Front ends: how people and programs drive a simulated board.

``cli.py`` (``clock51-sim``, the one place errors become a line and an exit code), ``run.py``
(``clock51-sim run``: options, the run loop, real-time pacing), ``live.py`` (the terminal
view), ``endpoints.py`` (the serial line's host side: pty, TCP, memory), ``waveform.py`` (VCD
of the pins), ``screenshot.py`` (the LCD as a PNG), ``exec.py`` (a bare CPU for any 8052
program). They use the machine's and the models' public methods only.
"""
