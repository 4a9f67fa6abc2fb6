"""Domain services: rules that views, commands, seeds and (later) the API share."""
