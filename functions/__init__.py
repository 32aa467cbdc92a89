"""Event-driven Lambda functions, one package each: the welcome e-mail, the thumbnailer and post images.

Each runs unchanged on Lambda and locally: it never imports the local runtime or the app definition, reads its
configuration when its handler runs, and parses its events with Powertools' event source data classes.
"""
