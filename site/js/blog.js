// The blog's front page: published posts, read with the public API key, and new ones as they are published.
import { element, graphql, subscribe } from "./api.js";

const POST_FIELDS = "id title body tags publishedAt createdAt thumbnailUrl author { name }";
const LIST = `query Posts($limit: Int) { listPosts(limit: $limit) { items { ${POST_FIELDS} } } }`;
const GET = `query Post($id: ID!) { getPost(id: $id) { ${POST_FIELDS} status } }`;
const ON_CREATE = "subscription NewPosts { onCreatePost { id status } }";

const list = document.getElementById("posts");
const status = document.getElementById("status");

function postItem(post, isNew = false) {
  const when = new Date(post.publishedAt ?? post.createdAt).toLocaleDateString();
  const byline = `${post.author?.name ?? "Someone"} · ${when}`;
  const item = element(
    "li",
    { class: isNew ? "post new" : "post", "data-post-id": post.id },
    element("h2", {}, post.title),
    element("p", { class: "meta" }, byline),
    post.thumbnailUrl ? element("img", { src: post.thumbnailUrl, alt: "" }) : null,
    element("p", {}, post.body.length > 280 ? `${post.body.slice(0, 280)}…` : post.body),
    element("p", {}, ...post.tags.map((tag) => element("span", { class: "tag" }, tag))),
  );
  return item;
}

async function showNewPost(id) {
  if (list.querySelector(`[data-post-id="${CSS.escape(id)}"]`)) return;
  const { getPost } = await graphql(GET, { id });
  if (getPost?.status === "PUBLISHED") list.prepend(postItem(getPost, true));
}

async function main() {
  try {
    const { listPosts } = await graphql(LIST, { limit: 20 });
    list.replaceChildren(...listPosts.items.map((post) => postItem(post)));
    status.textContent = listPosts.items.length ? `${listPosts.items.length} posts` : "No posts yet.";
  } catch (error) {
    status.textContent = `Could not load posts: ${error.message}`;
    status.classList.add("error");
    return;
  }
  await subscribe(ON_CREATE, {}, (data) => data.onCreatePost && showNewPost(data.onCreatePost.id), (state) => {
    status.dataset.live = state;
    if (state === "live") status.textContent += " · new posts appear here as they are published";
  });
}

main();
