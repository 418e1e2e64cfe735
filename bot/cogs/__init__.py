"""Slash commands and component handlers: parse the interaction, call one service, render."""
