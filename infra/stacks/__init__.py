"""The backend stack and the small builders it is made of, one AWS concept per module."""
