// AppSync doc: built-in-modules-js#Inputs RemoveInput (the page's example: delete only if the owner matches).
import { util } from '@aws-appsync/utils';
import { remove } from '@aws-appsync/utils/dynamodb';

export function request(ctx) {
	const condition = {
		owner: { eq: ctx.args.owner },
	};
	return remove({
		key: {
			id: ctx.args.id,
		},
		condition,
	});
}

export function response(ctx) {
  if (ctx.error) {
    util.error(ctx.error.message, ctx.error.type);
  }
  return ctx.result;
}
