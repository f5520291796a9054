"""clock51 host tool: read and set the clock over its serial port."""
