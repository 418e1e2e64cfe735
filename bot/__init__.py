"""study-tutor-bot: flashcard decks turned into graded daily study drills on Discord."""

__version__ = "0.1.0"
