/** All migrations, in order. Append only: the last one's version is the schema version this app writes. */
import { migration001 } from './001-runs'
import { migration002 } from './002-metrics'
import { migration003 } from './003-artifacts'
import { migration004 } from './004-sample-models'
import { migration005 } from './005-datasets'
import { migration006 } from './006-sample-roles'
import { migration007 } from './007-distill-fields-added'
import { migration008 } from './008-top-pair-share'
import { migration009 } from './009-sigma-max'
import { migration010 } from './010-run-verdicts'
import { migration011 } from './011-teacher-fields-added'
import { migration012 } from './012-run-names'
import { migration013 } from './013-grid-top'
import { migration014 } from './014-teacher-step-power'
import { migration015 } from './015-top-pair-target'
import { migration016 } from './016-top-pair-replay'
import type { Migration } from './types'

export type { Migration } from './types'

export const MIGRATIONS: readonly Migration[] = [
  migration001,
  migration002,
  migration003,
  migration004,
  migration005,
  migration006,
  migration007,
  migration008,
  migration009,
  migration010,
  migration011,
  migration012,
  migration013,
  migration014,
  migration015,
  migration016,
]

export const SCHEMA_VERSION = MIGRATIONS.length
