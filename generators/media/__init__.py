"""Writing media files — MP4, GIF, WAV — and running the bundled ffmpeg: shared by every backend that writes them
and by fine-tuning's validation, so no backend imports another to write its output."""
