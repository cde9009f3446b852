"""Media endpoints (images, audio, downloads): sans-IO request and reply mapping."""
