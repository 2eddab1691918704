"""The MongoDB Node.js driver a Zacatl service connects with, and the connection-string options the
platform relies on, each with its source.

- Which driver: Zacatl v0.0.61 (``facts.zacatl``) passes ``MONGO_URI`` to ``mongoose.connect``
  unchanged, adding only ``dbName`` (the URI's path), ``autoIndex`` and ``autoCreate``
  (``src/service/platforms/server/database/adapters/mongoose.ts``); its lock file resolves mongoose
  9.9.2 and the driver ``mongodb`` 7.5.0 (``package-lock.json``; peer ranges mongoose ^9.7.4,
  mongodb ^7.2.0 in ``package.json``). So every option in the URI reaches the driver.
- Which options: the driver's connection-string parser (mongodb/node-mongodb-native
  ``src/connection_string.ts`` at v7.5.0) accepts ``tls``, ``tlsCAFile``, ``replicaSet``,
  ``readPreference``, ``retryWrites`` and ``authSource`` in the URI.
- How ``tlsCAFile`` works (``src/mongo_client.ts`` at v7.5.0): only when ``tls`` is on, the driver
  reads the file on the first ``connect`` and passes its contents as Node's ``tls`` option ``ca``,
  which replaces Node's built-in CA list for that client (Node.js ``tls.createSecureContext``: ``ca``
  overrides the Mozilla-curated defaults). A missing file fails the connect with ENOENT, naming the
  path; nothing falls back to an unverified connection.

``package.json`` pins the same driver as a development dependency: ``tests/contract/test_documentdb_tls.py``
parses the rendered connection string with it and checks the connect opens the CA file it names.
"""

from __future__ import annotations

from datetime import date

from .source import Source

READ_ON = date(2026, 11, 29)

#: The driver release Zacatl's lock file resolves, and mongoose's.
DRIVER_VERSION = "7.5.0"
MONGOOSE_VERSION = "9.9.2"
ZACATL_SOURCE = Source("sentzunhat/zacatl:src/service/platforms/server/database/adapters/mongoose.ts and "
                       "package-lock.json", READ_ON, "v0.0.61 (dbc180fed953)")

#: URI option names, exactly as the driver's parser spells them.
TLS = "tls"
CA_FILE = "tlsCAFile"
REPLICA_SET = "replicaSet"
READ_PREFERENCE = "readPreference"
RETRY_WRITES = "retryWrites"
AUTH_SOURCE = "authSource"
OPTIONS_SOURCE = Source("mongodb/node-mongodb-native:src/connection_string.ts and src/mongo_client.ts",
                        READ_ON, f"v{DRIVER_VERSION}")
#: A file path given in the connection string is to be percent-encoded (``encodeURIComponent``).
PATH_ENCODING_SOURCE = Source("https://www.mongodb.com/docs/drivers/node/current/security/authentication/x509/",
                              READ_ON)
