"""Bare echo bots, the peers the journeys are compared with: the least a bot on each
framework can do per update (one reply), run against the same emulator."""
