// Local publish (NONE data source): nothing is stored; AppSync fans the result out to onIngestionResult.
import { util } from '@aws-appsync/utils';

export function request(ctx) {
  return { payload: { ...ctx.args.input, publishedAt: util.time.nowISO8601() } };
}

export function response(ctx) {
  return ctx.result;
}
