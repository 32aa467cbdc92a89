// AppSync function on the Posts table: writes a new DRAFT post by the caller.
import { util } from '@aws-appsync/utils';

const MAX_TITLE = 200;
const MAX_BODY = 50000;
const MAX_TAGS = 10;
const MAX_TAG = 40;

export function request(ctx) {
  const input = ctx.args.input;
  const now = util.time.nowISO8601();
  const post = {
    authorId: ctx.identity.sub,
    title: validTitle(input.title),
    body: validBody(input.body),
    tags: validTags(input.tags),
    status: 'DRAFT',
    createdAt: now,
    updatedAt: now,
  };
  if (input.photoUrl) {
    post.photoUrl = input.photoUrl;
  }
  return {
    operation: 'PutItem',
    key: util.dynamodb.toMapValues({ id: util.autoId() }),
    attributeValues: util.dynamodb.toMapValues(post),
    condition: { expression: 'attribute_not_exists(#id)', expressionNames: { '#id': 'id' } },
  };
}

export function response(ctx) {
  if (ctx.error) {
    util.error(ctx.error.message, ctx.error.type);
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
  const out = [];
  for (const tag of tags ?? []) {
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
