"""The welcome e-mail: each new user (an INSERT on the Users table's stream) gets one, once."""
