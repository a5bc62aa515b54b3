"""`python -m app.openapi_export PATH`: write the OpenAPI document the app serves."""

import json
import sys
from pathlib import Path

from app.core.config import Settings
from app.main import create_app


def render() -> str:
    # Fixed settings: the document must not depend on the machine that exports it.
    app = create_app(Settings(environment="test", secret_key="x" * 64, _env_file=None))
    return json.dumps(app.openapi(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    Path(sys.argv[1]).write_text(render())
