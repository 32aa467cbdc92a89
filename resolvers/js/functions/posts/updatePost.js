// AppSync function on the Posts table: changes the fields the caller sent, on the caller's own post only.
// Ownership is a condition of the write itself (`authorId = :caller`), never a read before it.
import { util } from '@aws-appsync/utils';

const MAX_TITLE = 200;
const MAX_BODY = 50000;
const MAX_TAGS = 10;
const MAX_TAG = 40;

export function request(ctx) {
  const input = ctx.args.input;
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
  if (Object.hasOwn(input, 'title')) {
    set('title', validTitle(input.title));
  }
  if (Object.hasOwn(input, 'body')) {
    set('body', validBody(input.body));
  }
  if (Object.hasOwn(input, 'tags')) {
    set('tags', validTags(input.tags));
  }
  if (Object.hasOwn(input, 'photoUrl')) {
    // A new photo (or none) makes the old thumbnail stale; the thumbnail flow makes a new one.
    remove('thumbnailUrl');
    if (input.photoUrl == null) {
      remove('photoUrl');
    } else {
      set('photoUrl', input.photoUrl);
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
    condition: {
      expression: '#authorId = :caller',
      expressionNames: { '#authorId': 'authorId' },
      expressionValues: util.dynamodb.toMapValues({ ':caller': ctx.identity.sub }),
    },
  };
}

export function response(ctx) {
  if (ctx.error) {
    if (ctx.error.type === 'DynamoDB:ConditionalCheckFailedException') {
      // Missing and someone else's look the same: the caller learns nothing about other authors' posts.
      util.error(`Post '${ctx.args.input.id}' not found`, 'NotFoundError');
    }
    util.error(ctx.error.message, ctx.error.type);
  }
  if (!ctx.result) {
    // AppSync may count a failed condition as success when the item is already in the state the write wanted
    // (for a delete: absent); with no item to return, that is still "not found" to the caller.
    util.error(`Post '${ctx.args.input.id}' not found`, 'NotFoundError');
  }
  return { items: [ctx.result], nextToken: null };
}

function validTitle(title) {
  const trimmed = (title ?? '').trim();
  if (trimmed.length === 0 || trimmed.length > MAX_TITLE) {
    util.error(`title must be 1 to ${MAX_TITLE} characters`, 'ValidationError');
  }
  return trimmed;
}

function validBody(body) {
  if (body == null || body.length > MAX_BODY) {
    util.error(`body must be at most ${MAX_BODY} characters`, 'ValidationError');
  }
  return body;
}

// Lower-case and without repeats, so a tag filter finds a post however its tag was typed.
function validTags(tags) {
  if (tags == null) {
    util.error('tags must be a list (send [] for none)', 'ValidationError');
  }
  const out = [];
  for (const tag of tags) {
    const normalized = tag.trim().toLowerCase();
    if (normalized.length === 0 || normalized.length > MAX_TAG) {
      util.error(`each tag must be 1 to ${MAX_TAG} characters`, 'ValidationError');
    }
    if (!out.includes(normalized)) {
      out.push(normalized);
    }
    if (out.length > MAX_TAGS) {
      util.error(`a post has at most ${MAX_TAGS} tags`, 'ValidationError');
    }
  }
  return out;
}
