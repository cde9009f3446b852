"""Wire mappings of the relay's non-chat endpoints, one module per kind of media
(``embeddings`` today). Each is sans-IO: it builds an ``HttpRequest`` and reads the JSON
reply; the clients do the sending."""
