"""The ground the product stands on, beside domain/: the clock, the translator,
the locale codes and the typed settings. No aiogram, no database."""
