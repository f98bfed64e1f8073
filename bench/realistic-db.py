#!/usr/bin/env python3
"""Writes a Taskcluster-format db directory of real proportions to OUTDIR (deterministic).

    bench/realistic-db.py OUTDIR [--defects]

The shape follows Taskcluster's own history: version 1 is a small relational table; version 2 creates
25 `*_entities` tables (partition_key, row_key, value jsonb, version, etag) with the five generic entity
methods each (load, create, modify, remove, scan) and the helpers they share; versions 3-27 each move one
entities table to a relational table by a data migration (insert ... select value ->> 'field', drop the
entities table; the downgrade rebuilds it with jsonb_build_object), deprecating its entity methods and
redefining them over the new table, and adding typed methods; five tables are relational from the start;
the remaining versions up to 128 add columns and indexes, supersede methods with `_2` variants (the old
ones deprecated), fix method bodies, and two of them carry online work (a column filled by an online
migration, then old columns dropped with an online downgrade that refills them). Every version verifies
without a defect; access.yml, tables.yml and releases.txt describe the result.

With --defects, six known defects are added to late versions (see inject_defects): the same directory as a
yardstick for shortcuts that must still find everything an exhaustive run finds.
"""
import os
import random
import sys

LATEST = 128

# service, entities table, relational table, singular, keys (partition[, row]), fields (name, type, not null)
# Types: text, jsonb, timestamptz, integer, boolean.  A one-key table stores a constant row key.
ENTITY_TABLES = [
    ('queue', 'queue_tasks_entities', 'tasks', 'task', ['task_id'], [
        ('provisioner_id', 'text', True), ('worker_type', 'text', True), ('scheduler_id', 'text', True),
        ('task_group_id', 'text', True), ('dependencies', 'jsonb', True), ('routes', 'jsonb', True),
        ('priority', 'text', True), ('retries', 'integer', True), ('retries_left', 'integer', True),
        ('created', 'timestamptz', True), ('deadline', 'timestamptz', True), ('expires', 'timestamptz', True),
        ('scopes', 'jsonb', True), ('payload', 'jsonb', True), ('metadata', 'jsonb', True), ('tags', 'jsonb', True),
        ('extra', 'jsonb', True), ('runs', 'jsonb', True), ('taken_until', 'timestamptz', False)]),
    ('queue', 'queue_task_groups_entities', 'task_groups', 'task_group', ['task_group_id'], [
        ('scheduler_id', 'text', True), ('expires', 'timestamptz', True)]),
    ('queue', 'queue_task_dependency_entities', 'task_dependencies', 'task_dependency', ['dependent_task_id', 'required_task_id'], [
        ('requires', 'text', True), ('satisfied', 'boolean', True), ('expires', 'timestamptz', True)]),
    ('queue', 'queue_artifacts_entities', 'queue_artifacts', 'queue_artifact', ['task_id', 'name'], [
        ('run_id', 'integer', True), ('storage_type', 'text', True), ('content_type', 'text', True),
        ('details', 'jsonb', True), ('present', 'boolean', True), ('expires', 'timestamptz', True)]),
    ('queue', 'queue_workers_entities', 'queue_workers', 'queue_worker', ['task_queue_id', 'worker_id'], [
        ('worker_group', 'text', True), ('quarantine_until', 'timestamptz', True), ('expires', 'timestamptz', True),
        ('first_claim', 'timestamptz', True), ('recent_tasks', 'jsonb', True)]),
    ('queue', 'queue_worker_types_entities', 'task_queues', 'task_queue', ['task_queue_id'], [
        ('expires', 'timestamptz', True), ('last_date_active', 'timestamptz', True), ('description', 'text', True),
        ('stability', 'text', True)]),
    ('queue', 'queue_provisioners_entities', 'queue_provisioners', 'queue_provisioner', ['provisioner_id'], [
        ('expires', 'timestamptz', True), ('last_date_active', 'timestamptz', True), ('description', 'text', True),
        ('stability', 'text', True), ('actions', 'jsonb', True)]),
    ('auth', 'clients_entities', 'clients', 'client', ['client_id'], [
        ('description', 'text', True), ('encrypted_access_token', 'jsonb', True), ('expires', 'timestamptz', True),
        ('disabled', 'boolean', True), ('scopes', 'jsonb', True), ('created', 'timestamptz', True),
        ('last_modified', 'timestamptz', True), ('last_date_used', 'timestamptz', True),
        ('last_rotated', 'timestamptz', True), ('delete_on_expiration', 'boolean', True)]),
    ('auth', 'roles_entities', 'roles', 'role', ['role_id'], [
        ('scopes', 'jsonb', True), ('description', 'text', True), ('created', 'timestamptz', True),
        ('last_modified', 'timestamptz', True), ('expires', 'timestamptz', True)]),
    ('worker_manager', 'wmworker_pools_entities', 'worker_pools', 'worker_pool', ['worker_pool_id'], [
        ('provider_id', 'text', True), ('previous_provider_ids', 'jsonb', True), ('description', 'text', True),
        ('config', 'jsonb', True), ('created', 'timestamptz', True), ('last_modified', 'timestamptz', True),
        ('owner', 'text', True), ('email_on_error', 'boolean', True), ('provider_data', 'jsonb', True),
        ('expires', 'timestamptz', True)]),
    ('worker_manager', 'wmworkers_entities', 'workers', 'worker', ['worker_pool_id', 'worker_id'], [
        ('worker_group', 'text', True), ('provider_id', 'text', True), ('created', 'timestamptz', True),
        ('expires', 'timestamptz', True), ('state', 'text', True), ('provider_data', 'jsonb', True),
        ('capacity', 'integer', True), ('last_modified', 'timestamptz', True), ('last_checked', 'timestamptz', True)]),
    ('worker_manager', 'wmworker_pool_errors_entities', 'worker_pool_errors', 'worker_pool_error', ['worker_pool_id', 'error_id'], [
        ('reported', 'timestamptz', True), ('kind', 'text', True), ('title', 'text', True),
        ('description', 'text', True), ('extra', 'jsonb', True), ('expires', 'timestamptz', True)]),
    ('secrets', 'secrets_entities', 'secrets', 'secret', ['name'], [
        ('encrypted_secret', 'jsonb', True), ('expires', 'timestamptz', True)]),
    ('hooks', 'hooks_entities', 'hooks', 'hook', ['hook_group_id', 'hook_id'], [
        ('metadata', 'jsonb', True), ('task', 'jsonb', True), ('bindings', 'jsonb', True), ('schedule', 'jsonb', True),
        ('encrypted_trigger_token', 'jsonb', True), ('encrypted_next_task_id', 'jsonb', True),
        ('next_scheduled_date', 'timestamptz', True), ('trigger_schema', 'jsonb', True), ('expires', 'timestamptz', True)]),
    ('hooks', 'queues_entities', 'hooks_queues', 'hooks_queue', ['hook_group_id', 'hook_id'], [
        ('queue_name', 'text', True), ('bindings', 'jsonb', True), ('expires', 'timestamptz', True)]),
    ('hooks', 'last_fire_3_entities', 'hooks_last_fires', 'hooks_last_fire', ['hook_group_id', 'hook_id'], [
        ('fired_by', 'text', True), ('task_id', 'text', True), ('task_create_time', 'timestamptz', True),
        ('result', 'text', True), ('error', 'text', True), ('expires', 'timestamptz', True)]),
    ('index', 'indexed_tasks_entities', 'indexed_tasks', 'indexed_task', ['namespace', 'name'], [
        ('rank', 'integer', True), ('task_id', 'text', True), ('data', 'jsonb', True), ('expires', 'timestamptz', True)]),
    ('index', 'namespaces_entities', 'index_namespaces', 'index_namespace', ['parent', 'name'], [
        ('expires', 'timestamptz', True)]),
    ('notify', 'denylisted_notification_entities', 'denylisted_notifications', 'denylisted_notification', ['notification_type', 'notification_address'], [
        ('expires', 'timestamptz', True)]),
    ('github', 'taskcluster_github_builds_entities', 'github_builds', 'github_build', ['task_group_id'], [
        ('organization', 'text', True), ('repository', 'text', True), ('sha', 'text', True), ('state', 'text', True),
        ('created', 'timestamptz', True), ('updated', 'timestamptz', True), ('installation_id', 'integer', True),
        ('event_type', 'text', True), ('event_id', 'text', True), ('expires', 'timestamptz', True)]),
    ('github', 'taskcluster_integration_owners_entities', 'github_integrations', 'github_integration', ['owner'], [
        ('installation_id', 'integer', True), ('expires', 'timestamptz', True)]),
    ('github', 'taskcluster_check_runs_entities', 'github_checks', 'github_check', ['task_group_id', 'task_id'], [
        ('check_suite_id', 'text', True), ('check_run_id', 'text', True), ('expires', 'timestamptz', True)]),
    ('purge_cache', 'cache_purges_entities', 'cache_purges', 'cache_purge', ['worker_pool_id', 'cache_name'], [
        ('before', 'timestamptz', True), ('expires', 'timestamptz', True)]),
    ('web_server', 'access_token_table_entities', 'access_tokens', 'access_token', ['hashed_access_token'], [
        ('encrypted_access_token', 'jsonb', True), ('client_id', 'text', True), ('redirect_uri', 'text', True),
        ('identity', 'text', True), ('identity_provider_id', 'text', True), ('expires', 'timestamptz', True),
        ('client_details', 'jsonb', True)]),
    ('web_server', 'authorization_codes_table_entities', 'authorization_codes', 'authorization_code', ['code'], [
        ('client_id', 'text', True), ('redirect_uri', 'text', True), ('identity', 'text', True),
        ('identity_provider_id', 'text', True), ('expires', 'timestamptz', True), ('client_details', 'jsonb', True)]),
]

# Tables that are relational from the start: service, table, singular, keys, fields.
DIRECT_TABLES = [
    ('object', 'objects', 'object', ['name'], [
        ('data', 'jsonb', True), ('project_id', 'text', True), ('backend_id', 'text', True),
        ('upload_id', 'text', False), ('expires', 'timestamptz', True)]),
    ('web_server', 'sessions', 'session', ['hashed_session_id'], [
        ('encrypted_session_id', 'jsonb', True), ('data', 'jsonb', True), ('expires', 'timestamptz', True)]),
    ('worker_manager', 'launch_configs', 'launch_config', ['worker_pool_id', 'launch_config_id'], [
        ('configuration', 'jsonb', True), ('is_archived', 'boolean', True), ('created', 'timestamptz', True),
        ('expires', 'timestamptz', True)]),
    ('auth', 'audit_events', 'audit_event', ['entity_id', 'event_id'], [
        ('client_id', 'text', True), ('action_type', 'text', True), ('created', 'timestamptz', True),
        ('expires', 'timestamptz', True)]),
]

SQL_TYPE = {'text': 'text', 'jsonb': 'jsonb', 'timestamptz': 'timestamptz', 'integer': 'integer', 'boolean': 'boolean'}
CATALOG_TYPE = {'text': 'text', 'jsonb': 'jsonb', 'timestamptz': 'timestamp with time zone', 'integer': 'integer',
                'boolean': 'boolean', 'uuid': 'uuid'}
ENTITY_COLUMNS = [('partition_key', 'text', True), ('row_key', 'text', True), ('value', 'jsonb', True),
                  ('version', 'integer', True), ('etag', 'uuid', True)]


def camel(name):
    head, *rest = name.split('_')
    return head + ''.join(p.capitalize() for p in rest)


def indent(text, n):
    return '\n'.join((' ' * n + line) if line else line for line in text.strip('\n').split('\n'))


class Table:
    """A relational table as it evolves: keys, fields, indexes, and the methods defined over it."""

    def __init__(self, service, name, singular, keys, fields, entities=None):
        self.service, self.name, self.singular, self.keys = service, name, singular, keys
        self.fields = list(fields)
        self.entities = entities
        self.added = []          # columns added by later versions: (name, type, not null, default)
        self.indexes = []
        self.superseded = set()  # base methods already superseded by a _2 variant

    @property
    def key_args(self):
        return ', '.join(f'{k}_in text' for k in self.keys)

    def key_match(self, alias=None):
        a = alias or self.name
        return ' and '.join(f'{a}.{k} = {k}_in' for k in self.keys)

    def columns(self):
        cols = [(k, 'text', True) for k in self.keys] + [(f, t, nn) for f, t, nn in self.fields]
        cols += [(c, t, nn) for c, t, nn, _ in self.added]
        cols.append(('etag', 'uuid', True))
        return cols


class Directory:
    def __init__(self):
        self.versions = {}
        self.access = {}
        self.tables = {}        # name -> list of (column, catalog type, not null)
        self.method_meta = {}   # name -> (mode, service, args, returns)
        self.deprecated = set()

    def grant(self, service, table):
        self.access.setdefault(service, {})[table] = 'write'

    def revoke(self, service, table):
        self.access[service].pop(table, None)

    def method(self, methods, name, mode, service, args, returns, body, description, deprecated=False):
        meta = (mode, service, args, returns)
        if name in self.method_meta:
            assert self.method_meta[name] == meta, (name, self.method_meta[name], meta)
        self.method_meta[name] = meta
        if deprecated:
            self.deprecated.add(name)
        methods.append((name, {'description': description, 'mode': mode, 'serviceName': service, 'args': args,
                               'returns': returns, 'body': body, 'deprecated': deprecated or name in self.deprecated}))

    def deprecate(self, methods, name):
        self.deprecated.add(name)
        methods.append((name, {'deprecated': True}))

    def version(self, number, description, up=None, down=None, methods=()):
        assert number not in self.versions, number
        self.versions[number] = (description, up, down, list(methods))

    def write(self, out):
        os.makedirs(os.path.join(out, 'versions'), exist_ok=True)
        for number in range(1, LATEST + 1):
            description, up, down, methods = self.versions[number]
            lines = [f'version: {number}', f'description: {description}']
            if up:
                lines += ['migrationScript: |-', indent('begin\n' + indent(up, 2) + '\nend', 2),
                          'downgradeScript: |-', indent('begin\n' + indent(down, 2) + '\nend', 2)]
            if not methods:
                lines.append('methods: {}')
            else:
                lines.append('methods:')
                for name, entry in methods:
                    lines.append(f'  {name}:')
                    if list(entry) == ['deprecated']:
                        lines.append('    deprecated: true')
                        continue
                    lines += ['    description: |-', indent(entry['description'], 6), f"    mode: {entry['mode']}",
                              f"    serviceName: {entry['serviceName']}", f"    args: '{entry['args']}'",
                              f"    returns: {entry['returns']}"]
                    if entry['deprecated']:
                        lines.append('    deprecated: true')
                    lines += ['    body: |-', indent(entry['body'], 6)]
            with open(os.path.join(out, 'versions', f'{number:04}.yml'), 'w') as f:
                f.write('\n'.join(lines) + '\n')
        with open(os.path.join(out, 'access.yml'), 'w') as f:
            for service in sorted(self.access):
                f.write(f'{service}:\n  tables:\n')
                for table in sorted(self.access[service]):
                    f.write(f'    {table}: {self.access[service][table]}\n')
        with open(os.path.join(out, 'tables.yml'), 'w') as f:
            for table in sorted(self.tables):
                f.write(f'{table}:\n')
                for column, ctype, notnull in self.tables[table]:
                    f.write(f"  {column}: {ctype}{' not null' if notnull else ''}\n")


# ---------------------------------------------------------------------------------------------- SQL text

def entities_ddl(name):
    return (f'create table {name} (\n'
            '  partition_key text not null,\n'
            '  row_key text not null,\n'
            '  value jsonb not null,\n'
            '  version integer not null,\n'
            '  etag uuid not null default public.gen_random_uuid(),\n'
            f'  constraint {name}_pkey primary key (partition_key, row_key)\n'
            ');')


def relational_ddl(t):
    cols = [f'{k} text not null' for k in t.keys]
    cols += [f"{f} {SQL_TYPE[ty]}{' not null' if nn else ''}" for f, ty, nn in t.fields]
    cols.append('etag uuid not null default public.gen_random_uuid()')
    cols.append(f"constraint {t.name}_pkey primary key ({', '.join(t.keys)})")
    return f'create table {t.name} (\n' + ',\n'.join('  ' + c for c in cols) + '\n);'


def base_indexes(t):
    """Two secondary indexes per table: on expires, and on the first other field that is not jsonb."""
    picks = ['expires'] + [f for f, ty, _ in t.fields if ty in ('text', 'timestamptz', 'integer') and f != 'expires'][:1]
    return [(f'{t.name}_{p}_idx', p) for p in picks]


def value_extract(alias, field, ftype):
    key = camel(field)
    if ftype == 'jsonb':
        return f"{alias}.value -> '{key}'"
    if ftype == 'text':
        return f"{alias}.value ->> '{key}'"
    return f"({alias}.value ->> '{key}')::{ftype}"


def props_extract(field, ftype):
    key = camel(field)
    if ftype == 'jsonb':
        return f"properties_in -> '{key}'"
    if ftype == 'text':
        return f"properties_in ->> '{key}'"
    return f"(properties_in ->> '{key}')::{ftype}"


def value_build(t, alias=None):
    a = alias or t.name
    parts = [f"'{camel(k)}', {a}.{k}" for k in t.keys]
    for f, ty, _ in t.fields:
        parts.append(f"'{camel(f)}', to_js_iso8601({a}.{f})" if ty == 'timestamptz' else f"'{camel(f)}', {a}.{f}")
    return 'jsonb_build_object(\n' + ',\n'.join('  ' + p for p in parts) + ')'


def row_key_of(t):
    return t.keys[1] if len(t.keys) > 1 else None


def row_key_constant(t):
    return camel(t.singular)


def entity_keys_match(t):
    """Where clause of the compatibility methods: partition and row key over the relational table."""
    rk = row_key_of(t)
    cond = f'{t.name}.{t.keys[0]} = partition_key_in'
    return cond + (f' and {t.name}.{rk} = row_key_in' if rk else f" and row_key_in = '{row_key_constant(t)}'")


ENTITY_RETURNS = 'table (partition_key_out text, row_key_out text, value jsonb, version integer, etag uuid)'
ENTITY_ARGS = {
    'load': 'partition_key_in text, row_key_in text',
    'create': 'partition_key_in text, row_key_in text, properties_in jsonb, overwrite_in boolean, version_in integer',
    'modify': 'partition_key_in text, row_key_in text, properties_in jsonb, version_in integer, old_etag_in uuid',
    'remove': 'partition_key_in text, row_key_in text',
    'scan': 'partition_key_in text, row_key_in text, condition_in text, size_in integer, page_in integer',
}
ENTITY_MODE = {'load': 'read', 'create': 'write', 'modify': 'write', 'remove': 'write', 'scan': 'read'}
ENTITY_RESULT = {'load': ENTITY_RETURNS, 'create': 'uuid', 'modify': 'table (etag uuid)', 'remove': 'table (etag uuid)',
                 'scan': ENTITY_RETURNS}


def entity_method_name(entities, op):
    return f'{entities}_{op}'


def entity_bodies_generic(e):
    """The five generic methods over an entities table, as version 2 defines them."""
    keys = f'{e}.partition_key = partition_key_in and {e}.row_key = row_key_in'
    return {
        'load': (f'Load the entity of `{e}` with the given partition and row key (at most one row).', f'''
begin
  return query
  select {e}.partition_key, {e}.row_key, {e}.value, {e}.version, {e}.etag
  from {e}
  where {keys};
end'''),
        'create': (f'Create an entity in `{e}` and return its new etag.  Unless `overwrite_in` is true, an\n'
                   'existing row with the same keys raises a unique violation (23505).', f'''
declare
  new_etag uuid := public.gen_random_uuid();
begin
  if overwrite_in then
    insert into {e} (partition_key, row_key, value, version, etag)
    values (partition_key_in, row_key_in, properties_in, version_in, new_etag)
    on conflict (partition_key, row_key) do update
    set value = properties_in, version = version_in, etag = new_etag;
  else
    insert into {e} (partition_key, row_key, value, version, etag)
    values (partition_key_in, row_key_in, properties_in, version_in, new_etag);
  end if;
  return new_etag;
end'''),
        'modify': (f'Replace the value of an entity of `{e}` if its etag is still `old_etag_in` (optimistic\n'
                   'concurrency) and return the new etag.  Raises `unsuccessful update` (P0004) when the etag\n'
                   'does not match and `no such row` (P0002) when the row is missing.', f'''
declare
  new_etag uuid := public.gen_random_uuid();
begin
  update {e}
  set value = properties_in, version = version_in, etag = new_etag
  where {keys}
    and {e}.etag = old_etag_in;
  if found then
    return query select new_etag;
    return;
  end if;
  perform 1 from {e}
  where {keys};
  if found then
    raise exception 'unsuccessful update' using errcode = 'P0004';
  else
    raise exception 'no such row' using errcode = 'P0002';
  end if;
end'''),
        'remove': (f'Remove an entity of `{e}`; returns the removed etag, or no row when it did not exist.', f'''
begin
  return query
  delete from {e}
  where {keys}
  returning {e}.etag;
end'''),
        'scan': (f'Scan the entities of `{e}` in key order.  A null key matches every key; `condition_in`\n'
                 'is a boolean SQL expression over the jsonb column `value` (null for none); `size_in` limits\n'
                 'the rows and `page_in` is the number of rows to skip.', f'''
declare
  sql text := 'select entities.partition_key, entities.row_key, entities.value, entities.version, entities.etag'
    || ' from {e} as entities'
    || ' where ($1 is null or entities.partition_key = $1)'
    || ' and ($2 is null or entities.row_key = $2)';
begin
  if condition_in is not null then
    sql := sql || ' and (' || condition_in || ')';
  end if;
  sql := sql || ' order by entities.partition_key, entities.row_key limit $3 offset $4';
  return query execute sql using partition_key_in, row_key_in, size_in, coalesce(page_in, 0);
end'''),
    }


def entity_bodies_compat(t):
    """The five entity methods of `t.entities` redefined over the relational table `t`."""
    e, n = t.entities, t.name
    rk = row_key_of(t)
    note = f' (compatibility: `{e}` now lives in `{n}`)'
    key_cols = list(t.keys)
    field_cols = [f for f, _, _ in t.fields]
    insert_cols = ', '.join(key_cols + field_cols + ['etag'])
    values = ['partition_key_in'] + (['row_key_in'] if rk else []) + [props_extract(f, ty) for f, ty, _ in t.fields] + ['new_etag']
    updates = ',\n'.join(f'  {f} = excluded.{f}' for f in field_cols + ['etag'])
    sets = ',\n'.join(f'  {f} = {props_extract(f, ty)}' for f, ty, _ in t.fields) + ',\n  etag = new_etag'
    row_key_out = f'{n}.{rk}' if rk else f"'{row_key_constant(t)}'::text"
    scan_row_key = f'{n}.{rk}' if rk else f"''{row_key_constant(t)}''"
    check_row_key = '' if rk else (f"  if row_key_in is distinct from '{row_key_constant(t)}' then\n"
                                   f"    raise exception 'row key of {e} must be {row_key_constant(t)}' using errcode = '22023';\n"
                                   '  end if;\n')
    return {
        'load': (f'Load the entity of `{e}` with the given keys (at most one row){note}.', f'''
begin
  return query
  select
    {n}.{t.keys[0]},
    {row_key_out},
{indent(value_build(t), 4)},
    1,
    {n}.etag
  from {n}
  where {entity_keys_match(t)};
end'''),
        'create': (f'Create an entity in `{e}` and return its new etag.  Unless `overwrite_in` is true, an\n'
                   f'existing row with the same keys raises a unique violation (23505){note}.', f'''
declare
  new_etag uuid := public.gen_random_uuid();
begin
{check_row_key}  insert into {n} ({insert_cols})
  values (
{indent(','.join(chr(10) + v for v in values).lstrip(chr(10)), 4)})
  on conflict ({', '.join(key_cols)}) do update
  set
{indent(updates, 4)}
  where overwrite_in;
  if not found then
    raise exception 'duplicate key value violates unique constraint "{n}_pkey"' using errcode = '23505';
  end if;
  return new_etag;
end'''),
        'modify': (f'Replace the value of an entity of `{e}` if its etag is still `old_etag_in` and return the\n'
                   'new etag.  Raises `unsuccessful update` (P0004) when the etag does not match and `no such\n'
                   f'row` (P0002) when the row is missing{note}.', f'''
declare
  new_etag uuid := public.gen_random_uuid();
begin
  update {n}
  set
{indent(sets, 2)}
  where {entity_keys_match(t)}
    and {n}.etag = old_etag_in;
  if found then
    return query select new_etag;
    return;
  end if;
  perform 1 from {n} where {entity_keys_match(t)};
  if found then
    raise exception 'unsuccessful update' using errcode = 'P0004';
  else
    raise exception 'no such row' using errcode = 'P0002';
  end if;
end'''),
        'remove': (f'Remove an entity of `{e}`; returns the removed etag, or no row{note}.', f'''
begin
  return query
  delete from {n}
  where {entity_keys_match(t)}
  returning {n}.etag;
end'''),
        'scan': (f'Scan the entities of `{e}` in key order; `condition_in` is a boolean SQL expression over\n'
                 f'`value` (null for none), `size_in` a row limit, `page_in` the rows to skip{note}.', f'''
declare
  sql text := 'select entities.partition_key_out, entities.row_key_out, entities.value, entities.version, entities.etag'
    || ' from {n} cross join lateral {e}_load({n}.{t.keys[0]}, {scan_row_key}) as entities'
    || ' where ($1 is null or entities.partition_key_out = $1)'
    || ' and ($2 is null or entities.row_key_out = $2)';
begin
  if condition_in is not null then
    sql := sql || ' and (' || condition_in || ')';
  end if;
  sql := sql || ' order by entities.partition_key_out, entities.row_key_out limit $3 offset $4';
  return query execute sql using partition_key_in, row_key_in, size_in, coalesce(page_in, 0);
end'''),
    }


def typed_columns(t, with_etag=False):
    cols = [(k, 'text') for k in t.keys] + [(f, ty) for f, ty, _ in t.fields]
    if with_etag:
        cols.append(('etag', 'uuid'))
    return cols


def returns_of(cols):
    return 'table (' + ', '.join(f'{c} {SQL_TYPE.get(ty, ty)}' for c, ty in cols) + ')'


def select_list(t, cols):
    return ', '.join(f'{t.name}.{c}' for c, _ in cols)


def relational_methods(d, t, methods):
    """The typed methods of a table, defined the version it becomes relational."""
    n, s, svc = t.name, t.singular, t.service
    field_args = ', '.join(f'{f}_in {SQL_TYPE[ty]}' for f, ty, _ in t.fields)
    cols = typed_columns(t)
    key_order = ', '.join(f'{n}.{k}' for k in t.keys)
    insert_cols = ', '.join(list(t.keys) + [f for f, _, _ in t.fields])
    insert_vals = ', '.join([f'{k}_in' for k in t.keys] + [f'{f}_in' for f, _, _ in t.fields])
    sets = ',\n'.join(f'  {f} = {f}_in' for f, _, _ in t.fields)
    d.method(methods, f'create_{s}', 'write', svc, f'{t.key_args}, {field_args}', 'void', f'''
begin
  insert into {n} ({insert_cols})
  values ({insert_vals});
end''', f'Create a {s.replace("_", " ")}.  Raises a unique violation (23505) when it exists.')
    d.method(methods, f'get_{s}', 'read', svc, t.key_args, returns_of(cols), f'''
begin
  return query
  select {select_list(t, cols)}
  from {n}
  where {t.key_match()};
end''', f'Get a {s.replace("_", " ")} by its key (no row when it does not exist).')
    d.method(methods, f'get_{n}', 'read', svc, 'page_size_in integer, page_offset_in integer', returns_of(cols), f'''
begin
  return query
  select {select_list(t, cols)}
  from {n}
  order by {key_order}
  limit get_page_limit(page_size_in)
  offset get_page_offset(page_offset_in);
end''', f'Get {n.replace("_", " ")} in key order, a page at a time.')
    d.method(methods, f'update_{s}', 'write', svc, f'{t.key_args}, {field_args}', 'void', f'''
begin
  update {n}
  set
{indent(sets, 2)},
    etag = public.gen_random_uuid()
  where {t.key_match()};
  if not found then
    raise exception 'no such row' using errcode = 'P0002';
  end if;
end''', f'Replace every field of a {s.replace("_", " ")}.  Raises `no such row` (P0002) when it does not exist.')
    d.method(methods, f'delete_{s}', 'write', svc, t.key_args, 'void', f'''
begin
  delete from {n}
  where {t.key_match()};
end''', f'Delete a {s.replace("_", " ")}; deleting one that does not exist does nothing.')
    d.method(methods, f'expire_{n}', 'write', svc, 'expires_in timestamptz', 'integer', f'''
declare
  count integer;
begin
  delete from {n}
  where {n}.expires < expires_in;
  get diagnostics count = row_count;
  return count;
end''', f'Delete the {n.replace("_", " ")} that expired before `expires_in`; returns how many.')


def supersede(d, t, base, methods):
    """A `_2` variant of one typed method (returning the etag), the old one deprecated."""
    n, s, svc = t.name, t.singular, t.service
    field_args = ', '.join(f'{f}_in {SQL_TYPE[ty]}' for f, ty, _ in t.fields)
    cols = typed_columns(t, with_etag=True)
    key_order = ', '.join(f'{n}.{k}' for k in t.keys)
    if base == 'create':
        insert_cols = ', '.join(list(t.keys) + [f for f, _, _ in t.fields] + ['etag'])
        insert_vals = ', '.join([f'{k}_in' for k in t.keys] + [f'{f}_in' for f, _, _ in t.fields] + ['new_etag'])
        d.method(methods, f'create_{s}_2', 'write', svc, f'{t.key_args}, {field_args}', 'uuid', f'''
declare
  new_etag uuid := public.gen_random_uuid();
begin
  insert into {n} ({insert_cols})
  values ({insert_vals});
  return new_etag;
end''', f'Create a {s.replace("_", " ")} and return its etag.  Supersedes `create_{s}`.')
        old = f'create_{s}'
    elif base == 'get':
        d.method(methods, f'get_{s}_2', 'read', svc, t.key_args, returns_of(cols), f'''
begin
  return query
  select {select_list(t, cols)}
  from {n}
  where {t.key_match()};
end''', f'Get a {s.replace("_", " ")} with its etag.  Supersedes `get_{s}`.')
        old = f'get_{s}'
    elif base == 'list':
        d.method(methods, f'get_{n}_2', 'read', svc, 'page_size_in integer, page_offset_in integer', returns_of(cols), f'''
begin
  return query
  select {select_list(t, cols)}
  from {n}
  order by {key_order}
  limit get_page_limit(page_size_in)
  offset get_page_offset(page_offset_in);
end''', f'Get {n.replace("_", " ")} with their etags in key order, a page at a time.  Supersedes `get_{n}`.')
        old = f'get_{n}'
    elif base == 'delete':
        d.method(methods, f'delete_{s}_2', 'write', svc, t.key_args, 'integer', f'''
declare
  count integer;
begin
  delete from {n}
  where {t.key_match()};
  get diagnostics count = row_count;
  return count;
end''', f'Delete a {s.replace("_", " ")}; returns 1, or 0 when it did not exist.  Supersedes `delete_{s}`.')
        old = f'delete_{s}'
    else:
        sets = ',\n'.join(f'  {f} = {f}_in' for f, _, _ in t.fields)
        d.method(methods, f'update_{s}_2', 'write', svc, f'{t.key_args}, {field_args}, etag_in uuid', 'table (etag uuid)', f'''
declare
  new_etag uuid := public.gen_random_uuid();
begin
  update {n}
  set
{indent(sets, 2)},
    etag = new_etag
  where {t.key_match()}
    and {n}.etag = etag_in;
  if found then
    return query select new_etag;
    return;
  end if;
  perform 1 from {n} where {t.key_match()};
  if found then
    raise exception 'unsuccessful update' using errcode = 'P0004';
  else
    raise exception 'no such row' using errcode = 'P0002';
  end if;
end''', f'Update a {s.replace("_", " ")} if its etag is still `etag_in`; returns the new etag.  Supersedes\n'
            f'`update_{s}`.  Raises `unsuccessful update` (P0004) or `no such row` (P0002).')
        old = f'update_{s}'
    d.deprecate(methods, old)
    t.superseded.add(base)


def relational_move(d, t):
    """Up and down scripts moving `t.entities` into the relational table `t`, and back."""
    e, n = t.entities, t.name
    rk = row_key_of(t)
    key_cols = list(t.keys)
    cols = key_cols + [f for f, _, _ in t.fields] + ['etag']
    sources = [f'{e}.partition_key'] + ([f'{e}.row_key'] if rk else []) + \
              [value_extract(e, f, ty) for f, ty, _ in t.fields] + [f'{e}.etag']
    up = [f'lock table {e};', '', relational_ddl(t)]
    up += [f'create index {name} on {n} ({col});' for name, col in base_indexes(t)]
    up += ['', f"insert into {n} ({', '.join(cols)})", 'select', indent(',\n'.join(sources), 2), f'from {e};', '',
           f'revoke select, insert, update, delete on {e} from $db_user_prefix$_{t.service};',
           f'drop table {e};',
           f'grant select, insert, update, delete on {n} to $db_user_prefix$_{t.service};']
    down = [f'lock table {n};', '', entities_ddl(e), '',
            f'insert into {e} (partition_key, row_key, value, version, etag)', 'select',
            f'  {n}.{t.keys[0]},', f"  {n}.{rk}," if rk else f"  '{row_key_constant(t)}',",
            indent(value_build(t), 2) + ',', '  1,', f'  {n}.etag', f'from {n};', '',
            f'revoke select, insert, update, delete on {n} from $db_user_prefix$_{t.service};',
            f'drop table {n};',
            f'grant select, insert, update, delete on {e} to $db_user_prefix$_{t.service};']
    return '\n'.join(up), '\n'.join(down)


# ---------------------------------------------------------------------------------------------- history

def build():
    d = Directory()
    rng = random.Random(14)

    # version 1: a table for a deployment smoke test
    widgets = Table('notify', 'widgets', 'widget', ['name'], [('created', 'timestamptz', True), ('expires', 'timestamptz', True)])
    methods = []
    relational_methods(d, widgets, methods)
    up = '\n'.join([relational_ddl(widgets)] + [f'create index {i} on widgets ({c});' for i, c in base_indexes(widgets)] +
                   ['grant select, insert, update, delete on widgets to $db_user_prefix$_notify;'])
    down = 'revoke select, insert, update, delete on widgets from $db_user_prefix$_notify;\ndrop table widgets;'
    # the paging helpers every list method uses
    helpers_up = '''
create function get_page_limit(page_size_in integer) returns integer as $$
  select case when page_size_in is null or page_size_in < 1 then 1000 else least(page_size_in, 1000) end
$$ language sql immutable;

create function get_page_offset(page_offset_in integer) returns integer as $$
  select case when page_offset_in is null or page_offset_in < 0 then 0 else page_offset_in end
$$ language sql immutable;
'''
    helpers_down = 'drop function get_page_limit(integer);\ndrop function get_page_offset(integer);'
    d.version(1, 'widgets table for the notify deployment smoke test, and the paging helpers',
              helpers_up.strip() + '\n\n' + up, down + '\n' + helpers_down, methods)
    d.grant('notify', 'widgets')
    tables = [widgets]

    # version 2: every entities table with its generic methods
    up, down, methods = ['''
-- helper for rebuilding entity values: JavaScript's Date.toJSON format, always UTC with milliseconds
create function to_js_iso8601(ts_in timestamptz) returns text as $$
  select to_char(ts_in at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$ language sql stable;
'''.strip()], [], []
    for service, entities, *_ in ENTITY_TABLES:
        up += ['', entities_ddl(entities), f'grant select, insert, update, delete on {entities} to $db_user_prefix$_{service};']
        down += [f'revoke select, insert, update, delete on {entities} from $db_user_prefix$_{service};', f'drop table {entities};']
        d.grant(service, entities)
        for op, (description, body) in entity_bodies_generic(entities).items():
            d.method(methods, entity_method_name(entities, op), ENTITY_MODE[op], service, ENTITY_ARGS[op], ENTITY_RESULT[op],
                     body.strip('\n'), description)
    down.append('drop function to_js_iso8601(timestamptz);')
    d.version(2, 'every service table as entities (phase 1), with the generic entity methods', '\n'.join(up), '\n'.join(down), methods)

    # versions 3-27: each entities table becomes relational
    number = 3
    for service, entities, name, singular, keys, fields in ENTITY_TABLES:
        t = Table(service, name, singular, keys, fields, entities)
        up, down = relational_move(d, t)
        methods = []
        for op, (description, body) in entity_bodies_compat(t).items():
            d.method(methods, entity_method_name(entities, op), ENTITY_MODE[op], service, ENTITY_ARGS[op], ENTITY_RESULT[op],
                     body.strip('\n'), description, deprecated=True)
        relational_methods(d, t, methods)
        d.version(number, f'{name.replace("_", " ")} as a relational table (phase 2)', up, down, methods)
        d.revoke(service, entities)
        d.grant(service, name)
        t.indexes = [i for i, _ in base_indexes(t)]
        tables.append(t)
        number += 1

    # versions 28-31: tables relational from the start
    for service, name, singular, keys, fields in DIRECT_TABLES:
        t = Table(service, name, singular, keys, fields)
        methods = []
        relational_methods(d, t, methods)
        up = '\n'.join([relational_ddl(t)] + [f'create index {i} on {name} ({c});' for i, c in base_indexes(t)] +
                       [f'grant select, insert, update, delete on {name} to $db_user_prefix$_{service};'])
        down = f'revoke select, insert, update, delete on {name} from $db_user_prefix$_{service};\ndrop table {name};'
        d.version(number, f'{name.replace("_", " ")}, relational from the start', up, down, methods)
        d.grant(service, name)
        tables.append(t)
        number += 1

    # version 32: worker claims, whose provisioner / worker type pair becomes a task queue id online
    claims_number = number
    claims_versions = claims(d, number)
    number += 1

    # the rest of the history: superseded methods, added columns and indexes, body fixes, online work
    actions = []
    for t in tables:
        for base in ('create', 'get', 'list', 'update'):
            actions.append(('supersede', t, base))
    for t in tables[::8]:
        actions.append(('supersede', t, 'delete'))
    for i, t in enumerate(tables):
        if i % 4 != 3:
            actions.append(('column', t, i))
        actions.append(('index', t, i))
        if i % 2 == 0:
            actions.append(('fix', t, i))
    rng.shuffle(actions)
    # keep a table's supersessions in order (create before get...) is not needed; each is independent
    remaining = LATEST - number + 1 - 2  # two versions carry the online work of worker claims
    online_at = {number + remaining // 3: claims_versions[0], number + 2 * remaining // 3: claims_versions[1]}
    slots = [v for v in range(number, LATEST + 1) if v not in online_at]
    per = [len(actions) // len(slots) + (1 if i < len(actions) % len(slots) else 0) for i in range(len(slots))]
    position = 0
    for v in range(number, LATEST + 1):
        if v in online_at:
            online_at[v](v)
            continue
        count = per[slots.index(v)]
        batch, position = actions[position:position + count], position + count
        evolve(d, v, batch)
    assert position == len(actions)

    for t in tables:
        d.tables[t.name] = [(c, CATALOG_TYPE[ty], nn) for c, ty, nn in t.columns()]
    claims_table = claims_versions[2]
    d.tables['worker_claims'] = claims_table()
    return d, claims_number


def evolve(d, v, batch):
    up, down, methods, what = [], [], [], []
    for kind, t, *extra in batch:
        if kind == 'supersede':
            supersede(d, t, extra[0], methods)
            what.append(f'get_{t.name}_2' if extra[0] == 'list' else f'{extra[0]}_{t.singular}_2')
        elif kind == 'column':
            i = extra[0]
            column, ctype, notnull, default = [
                ('last_modified_by', 'text', False, None),
                ('priority_boost', 'integer', True, '0'),
                ('annotations', 'jsonb', True, "'{}'::jsonb"),
                ('archived', 'boolean', True, 'false'),
                ('touched', 'timestamptz', False, None),
            ][i % 5]
            column = f'{column}' if not any(c == column for c, *_ in t.columns()) else f'{column}_{i}'
            spec = f"{SQL_TYPE[ctype]}{' not null' if notnull else ''}{f' default {default}' if default else ''}"
            index = f'{t.name}_{column}_idx'
            up += [f'alter table {t.name} add column {column} {spec};', f'create index {index} on {t.name} ({column});']
            down = [f'drop index {index};', f'alter table {t.name} drop column {column};'] + down
            t.added.append((column, ctype, notnull, default))
            if ctype in ('text', 'integer', 'boolean'):
                keys = [(k, 'text') for k in t.keys] + [(column, ctype)]
                d.method(methods, f'get_{t.name}_by_{column}', 'read', t.service,
                         f'{column}_in {SQL_TYPE[ctype]}, page_size_in integer', returns_of(keys), f'''
begin
  return query
  select {select_list(t, keys)}
  from {t.name}
  where {t.name}.{column} = {column}_in
  order by {', '.join(f'{t.name}.{k}' for k in t.keys)}
  limit get_page_limit(page_size_in);
end''', f'The keys of the {t.name.replace("_", " ")} with the given `{column}`, a page at a time.')
            what.append(f'{t.name}.{column}')
        elif kind == 'index':
            candidates = [c for c, ty, _ in t.columns() if ty in ('text', 'timestamptz', 'integer', 'boolean') and c not in t.keys]
            second = candidates[(extra[0] + 1) % len(candidates)] if candidates else 'etag'
            index = f'{t.name}_{t.keys[0]}_{second}_idx'
            if index in t.indexes:
                index = f'{index}{v}'
            t.indexes.append(index)
            up.append(f'create index {index} on {t.name} ({t.keys[0]}, {second});')
            down.insert(0, f'drop index {index};')
            what.append(f'index {index}')
        elif kind == 'fix':
            # a body fix of an active method (deterministic: the expire method skips null expiry explicitly)
            name = f'expire_{t.name}'
            d.method(methods, name, 'write', t.service, 'expires_in timestamptz', 'integer', f'''
declare
  count integer;
begin
  -- rows without an expiry never expire
  delete from {t.name}
  where {t.name}.expires is not null
    and {t.name}.expires < expires_in;
  get diagnostics count = row_count;
  return count;
end''', f'Delete the {t.name.replace("_", " ")} that expired before `expires_in` (rows without an expiry stay); returns how many.')
            what.append(f'fix {name}')
    description = ', '.join(what) if what else 'no change'
    d.version(v, description, '\n'.join(up) or None, '\n'.join(down) or None, methods)


def claims(d, number):
    """worker_claims: created at `number`; two later versions fill task_queue_id online, then drop the pair."""
    svc = 'queue'
    state = {'dropped': False}
    cols_before = 'claim_id text, provisioner_id text, worker_type text, worker_group text, worker_id text, expires timestamptz'
    methods = []
    d.method(methods, 'create_worker_claim', 'write', svc,
             'claim_id_in text, provisioner_id_in text, worker_type_in text, worker_group_in text, worker_id_in text, expires_in timestamptz',
             'void', '''
begin
  insert into worker_claims (claim_id, provisioner_id, worker_type, worker_group, worker_id, expires)
  values (claim_id_in, provisioner_id_in, worker_type_in, worker_group_in, worker_id_in, expires_in);
end''', 'Record that a worker claimed work.')
    d.method(methods, 'get_worker_claim', 'read', svc, 'claim_id_in text', f'table ({cols_before})', '''
begin
  return query
  select worker_claims.claim_id, worker_claims.provisioner_id, worker_claims.worker_type, worker_claims.worker_group,
    worker_claims.worker_id, worker_claims.expires
  from worker_claims
  where worker_claims.claim_id = claim_id_in;
end''', 'Get a worker claim (no row when it does not exist).')
    d.method(methods, 'expire_worker_claims', 'write', svc, 'expires_in timestamptz', 'integer', '''
declare
  count integer;
begin
  delete from worker_claims where worker_claims.expires < expires_in;
  get diagnostics count = row_count;
  return count;
end''', 'Delete the worker claims that expired before `expires_in`; returns how many.')
    up = '''
create table worker_claims (
  claim_id text not null,
  provisioner_id text not null,
  worker_type text not null,
  worker_group text not null,
  worker_id text not null,
  expires timestamptz not null,
  etag uuid not null default public.gen_random_uuid(),
  constraint worker_claims_pkey primary key (claim_id)
);
create index worker_claims_expires_idx on worker_claims (expires);
create index worker_claims_worker_idx on worker_claims (worker_group, worker_id);
grant select, insert, update, delete on worker_claims to $db_user_prefix$_queue;'''
    down = 'revoke select, insert, update, delete on worker_claims from $db_user_prefix$_queue;\ndrop table worker_claims;'
    d.version(number, 'worker claims, relational from the start', up, down, methods)
    d.grant(svc, 'worker_claims')

    def fill(v):
        methods = []
        d.method(methods, 'create_worker_claim', 'write', svc,
                 'claim_id_in text, provisioner_id_in text, worker_type_in text, worker_group_in text, worker_id_in text, expires_in timestamptz',
                 'void', '''
begin
  insert into worker_claims (claim_id, provisioner_id, worker_type, task_queue_id, worker_group, worker_id, expires)
  values (claim_id_in, provisioner_id_in, worker_type_in, provisioner_id_in || '/' || worker_type_in, worker_group_in, worker_id_in, expires_in);
end''', 'Record that a worker claimed work (the task queue id is stored as well).')
        up = f'''
-- a nullable column is instant; the online migration fills existing rows while the service runs
alter table worker_claims add column task_queue_id text;
alter table worker_claims alter column provisioner_id drop not null, alter column worker_type drop not null;

create function online_migration_v{v}_batch(batch_size_in integer, state_in jsonb) returns table (count integer, state jsonb) as $$
declare
  item record;
  visited integer := 0;
  last_claim_id text := state_in ->> 'claim_id';
begin
  for item in
    select worker_claims.claim_id
    from worker_claims
    where worker_claims.claim_id > coalesce(last_claim_id, '')
    order by worker_claims.claim_id
    limit batch_size_in
    for update
  loop
    update worker_claims
    set task_queue_id = worker_claims.provisioner_id || '/' || worker_claims.worker_type
    where worker_claims.claim_id = item.claim_id
      and worker_claims.task_queue_id is null;
    visited := visited + 1;
    last_claim_id := item.claim_id;
  end loop;
  return query select visited, jsonb_build_object('claim_id', last_claim_id);
end
$$ language plpgsql;

create function online_migration_v{v}_is_complete() returns boolean as $$
begin
  perform 1 from worker_claims where worker_claims.task_queue_id is null limit 1;
  return not found;
end
$$ language plpgsql;'''
        down = '''
lock table worker_claims;
update worker_claims
set
  provisioner_id = split_part(worker_claims.task_queue_id, '/', 1),
  worker_type = split_part(worker_claims.task_queue_id, '/', 2)
where worker_claims.provisioner_id is null or worker_claims.worker_type is null;
alter table worker_claims alter column provisioner_id set not null, alter column worker_type set not null;
alter table worker_claims drop column task_queue_id;'''
        d.version(v, 'worker_claims.task_queue_id, filled by an online migration', up.strip(), down.strip(), methods)

    def drop(v):
        methods = []
        d.method(methods, 'create_worker_claim', 'write', svc,
                 'claim_id_in text, provisioner_id_in text, worker_type_in text, worker_group_in text, worker_id_in text, expires_in timestamptz',
                 'void', '''
begin
  insert into worker_claims (claim_id, task_queue_id, worker_group, worker_id, expires)
  values (claim_id_in, provisioner_id_in || '/' || worker_type_in, worker_group_in, worker_id_in, expires_in);
end''', 'Record that a worker claimed work.')
        d.method(methods, 'get_worker_claim', 'read', svc, 'claim_id_in text', f'table ({cols_before})', '''
begin
  return query
  select worker_claims.claim_id, split_part(worker_claims.task_queue_id, '/', 1), split_part(worker_claims.task_queue_id, '/', 2),
    worker_claims.worker_group, worker_claims.worker_id, worker_claims.expires
  from worker_claims
  where worker_claims.claim_id = claim_id_in;
end''', 'Get a worker claim (no row when it does not exist).  Superseded by `get_worker_claim_2`.', deprecated=True)
        d.method(methods, 'get_worker_claim_2', 'read', svc, 'claim_id_in text',
                 'table (claim_id text, task_queue_id text, worker_group text, worker_id text, expires timestamptz, etag uuid)', '''
begin
  return query
  select worker_claims.claim_id, worker_claims.task_queue_id, worker_claims.worker_group, worker_claims.worker_id,
    worker_claims.expires, worker_claims.etag
  from worker_claims
  where worker_claims.claim_id = claim_id_in;
end''', 'Get a worker claim with its task queue and etag (no row when it does not exist).')
        up = '''
-- the online migration of the previous version filled task_queue_id everywhere; dropping columns is
-- instant, and the check constraint is not validated (that would scan the table)
alter table worker_claims drop column provisioner_id, drop column worker_type;
alter table worker_claims add constraint worker_claims_task_queue_id_not_null check (task_queue_id is not null) not valid;'''
        down = f'''
alter table worker_claims drop constraint worker_claims_task_queue_id_not_null;
alter table worker_claims add column provisioner_id text, add column worker_type text;

create function online_downgrade_v{v}_batch(batch_size_in integer, state_in jsonb) returns table (count integer, state jsonb) as $$
declare
  item record;
  visited integer := 0;
  last_claim_id text := state_in ->> 'claim_id';
begin
  for item in
    select worker_claims.claim_id
    from worker_claims
    where worker_claims.claim_id > coalesce(last_claim_id, '')
    order by worker_claims.claim_id
    limit batch_size_in
    for update
  loop
    update worker_claims
    set
      provisioner_id = split_part(worker_claims.task_queue_id, '/', 1),
      worker_type = split_part(worker_claims.task_queue_id, '/', 2)
    where worker_claims.claim_id = item.claim_id
      and (worker_claims.provisioner_id is null or worker_claims.worker_type is null);
    visited := visited + 1;
    last_claim_id := item.claim_id;
  end loop;
  return query select visited, jsonb_build_object('claim_id', last_claim_id);
end
$$ language plpgsql;

create function online_downgrade_v{v}_is_complete() returns boolean as $$
begin
  perform 1 from worker_claims where worker_claims.provisioner_id is null or worker_claims.worker_type is null limit 1;
  return not found;
end
$$ language plpgsql;'''
        d.version(v, 'worker claims keep only task_queue_id (the pair is refilled by an online downgrade)', up.strip(), down.strip(), methods)
        state['dropped'] = True

    def final_columns():
        assert state['dropped']
        return [('claim_id', 'text', True), ('worker_group', 'text', True), ('worker_id', 'text', True),
                ('expires', 'timestamp with time zone', True), ('etag', 'uuid', True), ('task_queue_id', 'text', False)]

    return fill, drop, final_columns


def releases(d, out):
    """A release every four versions, a major every twelve."""
    lines = ['# releases of this generated directory and the db version each shipped (`vX.Y.Z: N`), oldest first']
    major, minor = 1, 0
    for v in range(4, LATEST + 1, 4):
        lines.append(f'v{major}.{minor}.0: {v}')
        minor += 1
        if v % 12 == 0:
            major, minor = major + 1, 0
    with open(os.path.join(out, 'releases.txt'), 'w') as f:
        f.write('\n'.join(lines) + '\n')


def inject_defects(d):
    """Known defects a reviewer would block, placed in late versions of the history, each of a kind a shortcut
    could miss: a renamed column that breaks methods the version does not touch, a renamed helper every list
    method calls, a downgrade that leaves an index behind, one that deletes rows, one that leaves a changed
    default, and a methods-only redefinition naming a column that does not exist. Returns what was injected."""
    def amend(v, up=None, down=None, methods=()):
        description, old_up, old_down, old_methods = d.versions[v]
        new_up = '\n'.join(x for x in (old_up, up) if x) or None
        new_down = '\n'.join(x for x in (down, old_down) if x) or None
        if new_up and not new_down:
            new_down = '-- nothing to undo'
        if new_down and not new_up:
            new_up = '-- nothing to do'
        d.versions[v] = (description + ' [injected defect]', new_up, new_down, old_methods + list(methods))

    scripted = [v for v in range(100, LATEST) if d.versions[v][1]]
    methods_only = [v for v in range(100, LATEST) if not d.versions[v][1]]
    injected = []
    v = scripted[0]
    amend(v, up='alter table secrets rename column expires to expires_at;', down='alter table secrets rename column expires_at to expires;')
    d.tables['secrets'] = [(('expires_at' if c == 'expires' else c), t, nn) for c, t, nn in d.tables['secrets']]
    injected.append(f'v{v}: secrets.expires renamed: every method naming it cannot run (function-broken)')
    v = scripted[2]
    amend(v, up='create index if not exists roles_created_description_idx on roles (created, description);')
    injected.append(f'v{v}: the downgrade leaves index roles_created_description_idx (stray-object)')
    v = scripted[4]
    amend(v, up="alter table clients alter column description set default '';")
    injected.append(f'v{v}: the downgrade leaves the default of clients.description (changed-object)')
    v = scripted[6]
    amend(v, down="delete from worker_pools where worker_pools.owner < 'm';")
    injected.append(f'v{v}: the downgrade deletes rows of worker_pools (data-changed)')
    v = scripted[8]
    amend(v, up='alter function get_page_offset(integer) rename to page_offset_of;',
          down='alter function page_offset_of(integer) rename to get_page_offset;')
    injected.append(f'v{v}: helper get_page_offset renamed: every list method breaks (function-broken)')
    v = methods_only[0]
    methods = []
    d.method(methods, 'count_widgets_by_title', 'read', 'notify', 'title_in text', 'integer', '''
begin
  return (select count(*) from widgets where widgets.title = title_in);
end''', 'How many widgets have the given title.')
    amend(v, methods=methods)
    injected.append(f'v{v}: count_widgets_by_title names widgets.title, which does not exist (function-broken)')
    return injected


def main():
    args = sys.argv[1:]
    defects = '--defects' in args
    args = [a for a in args if a != '--defects']
    if len(args) != 1:
        print('usage: bench/realistic-db.py OUTDIR [--defects]', file=sys.stderr)
        return 2
    out = args[0]
    d, _ = build()
    if defects:
        for line in inject_defects(d):
            print(f'injected: {line}', file=sys.stderr)
    d.write(out)
    releases(d, out)
    total = len(d.method_meta)
    print(f'{out}: {LATEST} versions, {len(d.tables)} tables, {total} methods ({len(d.deprecated)} deprecated), '
          f'{sum(len(t) for t in d.access.values())} grants over {len(d.access)} services', file=sys.stderr)
    return 0


if __name__ == '__main__':
    sys.exit(main())
