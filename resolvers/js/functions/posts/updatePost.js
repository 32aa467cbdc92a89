// AppSync function on the Posts table: changes the fields the caller sent, on the caller's own post only.
import { util } from '@aws-appsync/utils';

import { authoredByCaller, ownPostWritten } from '../../lib/ownership.js';
import { validatePostInput } from '../../lib/posts.js';

export function request(ctx) {
  const input = ctx.args.input;
  const changes = validatePostInput(input, []);
  const sets = [];
  const removes = [];
  const names = {};
  const values = {};
  const set = (field, value) => {
    sets.push(`#${field} = :${field}`);
    names[`#${field}`] = field;
    values[`:${field}`] = value;
  };
  const remove = (field) => {
    removes.push(`#${field}`);
    names[`#${field}`] = field;
  };
  for (const field of ['title', 'body', 'tags']) {
    if (Object.hasOwn(changes, field)) {
      set(field, changes[field]);
    }
  }
  if (Object.hasOwn(changes, 'photoUrl')) {
    // A photo given by URL (or none) replaces the uploaded one: its thumbnails are stale, and an upload still
    // in progress must not overwrite it (attachPostImage needs the post to await that upload's photoKey).
    for (const field of ['imageKey', 'thumbnailUrl', 'thumbnails', 'photoKey', 'imageStatus', 'imageError']) {
      remove(field);
    }
    if (changes.photoUrl == null) {
      remove('photoUrl');
    } else {
      set('photoUrl', changes.photoUrl);
    }
  }
  set('updatedAt', util.time.nowISO8601());
  const removal = removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : '';
  return {
    operation: 'UpdateItem',
    key: util.dynamodb.toMapValues({ id: input.id }),
    update: {
      expression: `SET ${sets.join(', ')}${removal}`,
      expressionNames: names,
      expressionValues: util.dynamodb.toMapValues(values),
    },
    condition: authoredByCaller(ctx),
  };
}

export function response(ctx) {
  return ownPostWritten(ctx, ctx.args.input.id);
}
