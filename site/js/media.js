// Premium videos: the catalog (public, API key), signing in (Cognito), subscribing or buying, and playing a
// video from the short-lived signed URL the API hands out (the CDN refuses it once it expires).
import { element, graphql, signIn } from "./api.js";

const MEDIA_FIELDS = "id title description durationSeconds thumbnailUrl premium";
const CATALOG = `query Catalog { listMedia(limit: 50) { items { ${MEDIA_FIELDS} } } }`;
const ME = "query Me { me { username premium { plan status active currentPeriodEnd } } }";
const PLAY = "query Play($id: ID!) { mediaPlaybackUrl(id: $id) { url expiresAt } }";
const BUY = "mutation Buy($id: ID!) { purchaseMedia(id: $id) { mediaId purchasedAt } }";
const SUBSCRIBE = "mutation Subscribe { subscribePremium(plan: MONTHLY) { status active currentPeriodEnd } }";

const $ = (id) => document.getElementById(id);
let token = sessionStorage.getItem("idToken");

function duration(seconds) {
  if (seconds === null || seconds === undefined) return "";
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

function mediaItem(media) {
  const badge = element("span", { class: media.premium ? "badge" : "badge free" }, media.premium ? "premium" : "free");
  const note = element("p", { class: "status note" });
  const play = element("button", { type: "button", class: "play" }, "Play");
  const buy = element("button", { type: "button", class: "secondary buy", hidden: "" }, "Buy this video");
  play.addEventListener("click", () => playMedia(media, note, buy));
  buy.addEventListener("click", () => buyMedia(media, note, buy));
  return element(
    "li",
    { class: "media", "data-media-id": media.id },
    element("img", { src: media.thumbnailUrl ?? "data:,", alt: "" }),
    element(
      "div",
      {},
      element("h2", {}, media.title, " ", badge),
      element("p", { class: "meta" }, duration(media.durationSeconds)),
      element("p", {}, media.description ?? ""),
      element("p", {}, play, " ", buy),
      note,
    ),
  );
}

async function playMedia(media, note, buy) {
  if (!token) {
    note.textContent = "Sign in to play.";
    return;
  }
  note.textContent = "Asking for a playback URL…";
  try {
    const { mediaPlaybackUrl } = await graphql(PLAY, { id: media.id }, token);
    const player = $("player");
    player.hidden = false;
    player.dataset.state = "loading";
    $("video").src = mediaPlaybackUrl.url;
    $("player-status").textContent = `${media.title} · this link works until ${new Date(mediaPlaybackUrl.expiresAt).toLocaleTimeString()}`;
    $("video").play().catch(() => {});
    note.textContent = "";
    buy.hidden = true;
  } catch (error) {
    if (error.errorType === "Unauthorized") {
      note.textContent = "This video is for premium subscribers and its buyers.";
      buy.hidden = false;
    } else {
      note.textContent = error.message;
    }
  }
}

async function buyMedia(media, note, buy) {
  try {
    await graphql(BUY, { id: media.id }, token);
    buy.hidden = true;
    note.textContent = "Bought: it is yours to play.";
  } catch (error) {
    note.textContent = error.message;
  }
}

async function showAccount() {
  $("sign-in").hidden = Boolean(token);
  $("membership").hidden = true;
  if (!token) return;
  try {
    const { me } = await graphql(ME, {}, token);
    $("membership").hidden = false;
    $("who").textContent = `Signed in as ${me.username}`;
    const premium = me.premium;
    $("premium-state").textContent = premium?.active
      ? `premium until ${new Date(premium.currentPeriodEnd).toLocaleDateString()}`
      : "not a premium subscriber";
    $("subscribe").hidden = Boolean(premium?.active);
  } catch (error) {
    signOut();
    $("sign-in-status").textContent = `Please sign in again (${error.message}).`;
  }
}

function signOut() {
  token = null;
  sessionStorage.removeItem("idToken");
  showAccount();
}

$("sign-in").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("sign-in-status").textContent = "Signing in…";
  try {
    token = await signIn($("username").value, $("password").value);
    sessionStorage.setItem("idToken", token);
    $("sign-in-status").textContent = "";
    await showAccount();
  } catch (error) {
    $("sign-in-status").textContent = error.message;
  }
});
$("sign-out").addEventListener("click", signOut);
$("subscribe").addEventListener("click", async () => {
  try {
    await graphql(SUBSCRIBE, {}, token);
  } catch (error) {
    $("premium-state").textContent = error.message;
  }
  await showAccount();
});
const video = $("video");
video.addEventListener("playing", () => ($("player").dataset.state = "playing"));
video.addEventListener("error", () => {
  $("player").dataset.state = "error";
  $("player-status").textContent = "The video could not be played (has its link expired? Press Play again).";
});

async function main() {
  await showAccount();
  try {
    const { listMedia } = await graphql(CATALOG);
    $("catalog").replaceChildren(...listMedia.items.map(mediaItem));
    $("status").textContent = listMedia.items.length ? "" : "No videos yet.";
  } catch (error) {
    $("status").textContent = `Could not load the catalog: ${error.message}`;
    $("status").classList.add("error");
  }
}

main();
