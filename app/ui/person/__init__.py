"""Working on one person: search, the person view with its counter actions, the due list and 発行履歴."""
