import os

import psycopg2
from psycopg2.extensions import QuotedString, libpq_version

DSN = os.environ.get("DATABASE_URL", "postgresql://report@127.0.0.1:1/orders?connect_timeout=3")


def main():
    print(f"psycopg2 {psycopg2.__version__.split()[0]}")
    print(f"built against libpq {psycopg2.__libpq_version__ // 10000}, running libpq {libpq_version() // 10000}")
    quoted = QuotedString("O'Reilly").getquoted().decode()
    print(f"quoted customer: {quoted}")
    try:
        psycopg2.connect(DSN).close()
        print("database reachable")
    except psycopg2.OperationalError as error:
        print(f"database unreachable: {type(error).__name__}")


if __name__ == "__main__":
    main()
