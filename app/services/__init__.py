"""Domain services: rules that views, commands, seeds and the API share. Every state-changing use
case here is a command (``app.services.commands``): it commits what it wrote, or rolls it all
back and raises an error naming the field; its callers only translate input and errors."""
