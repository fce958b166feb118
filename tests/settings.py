"""Test settings: kehu's settings with a throw-away data directory.

The data directory must be chosen before kehu.settings is read, so tests never touch
(or create a secret key in) the user's real one.
"""

import os
import tempfile

os.environ.setdefault("KEHU_DATA_DIR", tempfile.mkdtemp(prefix="kehu-test-"))

from kehu.settings import *  # noqa: E402,F403

# Scoring runs started from the web or the API run inline: a thread would not see the test's transaction.
KEHU_SCORING_IN_BACKGROUND = False
