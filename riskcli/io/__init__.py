"""Files and streams: safe loaders, the encrypted store, calendars, batch files, private writes."""
