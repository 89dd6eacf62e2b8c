"""Keys, tokens and the policy: what every other part of sparkseal builds on."""
