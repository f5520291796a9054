"""clock51 simulator: an MCS-51 core and pin-level board models that run the real firmware."""
