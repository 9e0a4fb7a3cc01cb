import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import type { RemoteSession } from '../../pam-core';

const text = (description?: string, example?: string) =>
  ApiProperty({ type: String, nullable: true, description, example });

/** One remote session as Segura lists it, normalised (English and Portuguese keys alike). */
@ObjectType('RemoteSession', { description: 'A privileged remote session in Segura PAM Core' })
export class RemoteSessionModel implements RemoteSession {
  @Field(() => ID, { description: 'The id terminateSession takes (Segura session_id)' })
  @ApiProperty({ example: 'e7acacb6aedbab70073456da5744166939b77527' })
  sessionId!: string;

  @Field({ description: "Segura's record number (not what terminate takes)" })
  @ApiProperty({ example: '3' })
  recordId!: string;

  @Field(() => String, { nullable: true })
  @text(undefined, 'admin-x')
  user!: string | null;

  @Field(() => String, { nullable: true })
  @text(undefined, '172.16.20.125')
  originIp!: string | null;

  @Field(() => String, { nullable: true })
  @text(undefined, 'usrdomadm01')
  credential!: string | null;

  @Field(() => String, { nullable: true, description: 'host:port as Segura gives it' })
  @text('host:port as Segura gives it', 'dc01.corp.local:3389')
  device!: string | null;

  @Field(() => String, { nullable: true })
  @text(undefined, 'dc01.corp.local')
  deviceHost!: string | null;

  @Field(() => Int, { nullable: true })
  @ApiProperty({ type: Number, nullable: true, example: 3389 })
  devicePort!: number | null;

  @Field(() => String, { nullable: true })
  @text(undefined, 'rdp')
  protocol!: string | null;

  @Field(() => String, { nullable: true })
  @text(undefined, 'Web Proxy')
  proxy!: string | null;

  @Field(() => String, {
    nullable: true,
    description: "YYYY-MM-DDTHH:MM:SS in Segura's local time (Segura sends no zone)",
  })
  @text("YYYY-MM-DDTHH:MM:SS in Segura's local time (Segura sends no zone)", '2024-05-06T16:05:07')
  start!: string | null;

  @Field(() => String, { nullable: true, description: 'Null while the session is active' })
  @text('Null while the session is active')
  end!: string | null;

  @Field(() => Int, { nullable: true, description: 'Seconds, from Segura "time"' })
  @ApiProperty({ type: Number, nullable: true, example: 172 })
  durationSeconds!: number | null;

  @Field({ description: 'True while the session has no end' })
  @ApiProperty()
  active!: boolean;

  @Field(() => String, { nullable: true, description: 'ITSM ticket code' })
  @text('ITSM ticket code')
  itsm!: string | null;
}
