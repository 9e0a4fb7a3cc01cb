import { SetMetadata } from '@nestjs/common';
import type { AuditAction } from '../audit/audit.types';
import type { Permission } from './permission';

export const PERMISSION_KEY = 'pam-gateway:permission';
export const AUDITED_ACTION_KEY = 'pam-gateway:audited-action';
export const AUTHENTICATED_KEY = 'pam-gateway:authenticated';

/** The permission a route or resolver field requires; the RBAC guard enforces it. */
export const RequirePermission = (permission: Permission) =>
  SetMetadata(PERMISSION_KEY, permission);

/**
 * The third marker beside @Public and @RequirePermission: any authenticated caller, no
 * permission (who-am-I). Explicit, so a route without any marker is still denied.
 */
export const Authenticated = () => SetMetadata(AUTHENTICATED_KEY, true);

/** Denials of this route are written to the audit log under this action. */
export const AuditedAction = (action: AuditAction) => SetMetadata(AUDITED_ACTION_KEY, action);
