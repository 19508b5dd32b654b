/** Poll messages: /repp/v1/registrar/notifications (REPP document, "Poll messages"). */
import { ObjectNotFound } from '../errors.js';
import type { NotificationRecord } from '../records.js';
import { boolean, object, page } from '../validate.js';
import { notificationView } from '../views.js';
import type { Ctx, Route } from './common.js';

/** The caller's unread notifications, newest first. */
const unread = (ctx: Ctx) =>
  ctx.store.notifications.filter((n) => n.registrar === ctx.registrar.id && !n.read).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id - a.id);

/**
 * One of the caller's notifications by id, read or not: the document's "Get a specific poll
 * message" and "Mark poll message as read" take any notification id (only the list and the latest
 * are of unread ones), and nowhere says a read message goes away. 404 (2303) for another
 * registrar's or an unknown id.
 */
function one(ctx: Ctx): NotificationRecord {
  const id = ctx.params.notification_id;
  const n = /^\d+$/.test(id) ? ctx.store.notifications.find((m) => m.registrar === ctx.registrar.id && m.id === Number(id)) : undefined;
  if (!n) throw new ObjectNotFound();
  return n;
}

/**
 * The caller's poll messages under /repp/v1/registrar/notifications (REPP document, "Poll
 * messages"): the unread ones listed and the latest unread; one by id and mark read, read or not.
 * Marking read is idempotent: a retry of a mark-read whose answer was lost answers as the first did.
 */
export const notificationRoutes: Route[] = [
  {
    method: 'GET',
    path: '/repp/v1/registrar/notifications/all_notifications',
    key: 'notifications:all',
    handle(ctx) {
      const all = unread(ctx);
      const { limit, offset } = page(ctx.query);
      const slice = all.slice(offset, offset + limit);
      // The document's example shows one object under data, but its text says "the list of unread
      // poll messages" and the message counts them: the registry returns the list.
      return {
        data: slice.map(notificationView),
        message: `Command completed successfully. Returning ${slice.length} out of ${all.length}. Use URL parameters :limit and :offset to list other messages if needed`,
      };
    },
  },
  {
    method: 'GET',
    path: '/repp/v1/registrar/notifications',
    key: 'notifications:latest',
    handle(ctx) {
      const latest = unread(ctx)[0];
      return { data: latest ? notificationView(latest) : {} };
    },
  },
  {
    method: 'GET',
    path: '/repp/v1/registrar/notifications/:notification_id',
    key: 'notification:info',
    handle: (ctx) => ({ data: notificationView(one(ctx)) }),
  },
  {
    method: 'PUT',
    path: '/repp/v1/registrar/notifications/:notification_id',
    key: 'notification:read',
    handle(ctx) {
      const n = one(ctx);
      // read: false changes nothing (the document only marks read); the answer says what the message is.
      if (boolean(object(ctx.body, 'notification'), 'read', 'notification[read]')) n.read = true;
      return { data: { notification_id: n.id, read: n.read } };
    },
  },
];
