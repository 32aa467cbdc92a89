"""The media uploads function: an uploaded media file is checked, given a poster when it is an image, and
recorded on its media item (READY, or FAILED with the reason)."""
