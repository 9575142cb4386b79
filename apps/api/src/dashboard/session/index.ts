// The dashboard's cookie session, for any browser page of the API (the dashboard, Bull Board).
export * from './dashboard-session.module.js';
export * from './dashboard-session.guard.js';
export * from './dashboard-session.service.js';
export * from './same-origin.js';
