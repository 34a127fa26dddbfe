"""Background jobs: long work run outside the request, its state a ``jobs`` row any host
can answer about. Features register their kinds (``registry``); ``http`` answers the
endpoints that start them; ``runner`` runs one; ``queue`` hands it to RQ, a thread, or
runs it at once (tests)."""
