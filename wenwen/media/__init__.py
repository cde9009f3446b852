"""Wire mappings of the relay's non-chat endpoints, one module per kind of media
(embeddings, images, audio, the key-less download path). Each is sans-IO: it builds an
``HttpRequest`` and reads the reply; the clients do the sending."""
