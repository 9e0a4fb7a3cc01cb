import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC_KEY = 'pam-gateway:public';

/** Marks a route or resolver field as reachable without authentication (health, docs). */
export const Public = () => SetMetadata(IS_PUBLIC_KEY, true);
