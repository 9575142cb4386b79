#!/usr/bin/env bash
# The postgres image's first start (/docker-entrypoint-initdb.d): creates the owner and app roles
# and the database, as roles.sql says, with the names and passwords compose passes in.
# No `set -u`: the entrypoint sources this file when it is not executable.
set -eo pipefail
: "${DB_NAME:?}" "${DB_OWNER_USER:?}" "${DB_OWNER_PASSWORD:?}" "${DB_APP_USER:?}" "${DB_APP_PASSWORD:?}"
psql --no-psqlrc --username "$POSTGRES_USER" --dbname postgres \
  --set owner_role="$DB_OWNER_USER" --set owner_password="$DB_OWNER_PASSWORD" \
  --set app_role="$DB_APP_USER" --set app_password="$DB_APP_PASSWORD" \
  --set database="$DB_NAME" \
  --file /clinic-billing/roles.sql
