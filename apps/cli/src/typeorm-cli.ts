// Entry for the TypeORM CLI (`migration:generate`): the same options and entities the apps use.
import { loadConfigOrExit } from '@metrobici/config';
import { createDataSource } from '@metrobici/database';
import { ENTITIES } from '../../entities';

export default createDataSource(loadConfigOrExit().database.url, { entities: ENTITIES });
