// AppSync doc: built-in-modules-js#Inputs QueryInput (the page's key condition on name and age).
import { util } from '@aws-appsync/utils';
import { query } from '@aws-appsync/utils/dynamodb';

export function request(ctx) {
	return query({
		query: {
			name: { eq: 'John' },
			age: { gt: 20 },
		},
	});
}

export function response(ctx) {
  if (ctx.error) {
    util.error(ctx.error.message, ctx.error.type);
  }
  return ctx.result;
}
