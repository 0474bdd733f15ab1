"""Encrypted secret polls: ballots encrypted under a trustee board's key.

The pure engine (``secret_ballot``) does the cryptography; this package keeps
its state in the database and ties it to polls:

- ``models``: voting keys, each poll's election (manifest, keys, credential
  list, board state), board lines, audited lines;
- ``keys``: where the joint key of a poll comes from (a seam the trustee
  boards fill);
- ``sealing``: secrets the server must hold (server-held credentials, the
  board's signing key), encrypted at rest;
- ``services``: registering voting keys, opening an election with a poll,
  previewing, casting and auditing ballots, assisted ballots;
- ``selectors``: the bulletin board and the election record.
"""
