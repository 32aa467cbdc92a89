// AppSync function on the Posts table: records what became of a photo upload (its thumbnails, or why it was
// refused), only while the post still awaits that very upload (`photoKey`, set by createPostImageUploadUrl):
// a result for an older upload, or for a deleted post, changes nothing.
import { util } from '@aws-appsync/utils';

import { imageOutcome } from '../../lib/images.js';
import { pageOf } from '../../lib/results.js';

export function request(ctx) {
  const input = ctx.args.input;
  const outcome = imageOutcome(input);
  const sets = [];
  const names = {};
  const values = { ':now': util.time.nowISO8601() };
  for (const [field, value] of Object.entries(outcome)) {
    sets.push(`#${field} = :${field}`);
    names[`#${field}`] = field;
    values[`:${field}`] = value;
  }
  sets.push('#updatedAt = :now');
  names['#updatedAt'] = 'updatedAt';
  // A READY photo clears the error of an earlier refused upload, and replaces a photo given as a URL (or one
  // whose URLs were stored before keys were kept); a FAILED one keeps the previous photo.
  const ready = outcome.imageStatus === 'READY';
  if (ready) {
    names['#imageError'] = 'imageError';
    names['#photoUrl'] = 'photoUrl';
    names['#thumbnailUrl'] = 'thumbnailUrl';
  }
  const removal = ready ? ' REMOVE #imageError, #photoUrl, #thumbnailUrl' : '';
  return {
    operation: 'UpdateItem',
    key: util.dynamodb.toMapValues({ id: input.postId }),
    update: {
      expression: `SET ${sets.join(', ')}${removal}`,
      expressionNames: names,
      expressionValues: util.dynamodb.toMapValues(values),
    },
    condition: {
      expression: 'attribute_exists(#id) AND #photoKey = :photoKey',
      expressionNames: { '#id': 'id', '#photoKey': 'photoKey' },
      expressionValues: util.dynamodb.toMapValues({ ':photoKey': input.photoKey }),
    },
  };
}

export function response(ctx) {
  const { postId, photoKey } = ctx.args.input;
  if (ctx.error) {
    if (ctx.error.type === 'DynamoDB:ConditionalCheckFailedException') {
      // A failed condition comes with the item as it is now: none means the post does not exist.
      if (!ctx.result) {
        util.error(`Post '${postId}' not found`, 'NotFoundError');
      }
      util.error(`Post '${postId}' no longer awaits the upload '${photoKey}'`, 'ConflictError');
    }
    util.error(ctx.error.message, ctx.error.type);
  }
  return pageOf([ctx.result]);
}
