// Entry for the TypeORM CLI (`migration:generate`): the same options the apps use.
import { loadConfigOrExit } from '@metrobici/config';
import { createDataSource } from './data-source';

export default createDataSource(loadConfigOrExit().database.url);
