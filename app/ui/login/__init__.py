"""Signing in and staying signed in: login, unlock after the idle lock, the idle lock itself, and the security-key and PIN prompts."""
