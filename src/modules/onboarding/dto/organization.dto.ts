import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsOptional, IsString, IsUUID, Length, ValidateNested } from 'class-validator';
import { EntityTimestampsDto } from '../../../common/http/common.dto';
import { OnboardingInputDto } from './base-input.dto';

export class AddressDto {
  @ApiPropertyOptional({ example: 'Av. Paulista, 1000' }) @IsOptional() @IsString() @Length(0, 256) line1?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, 256) line2?: string;
  @ApiPropertyOptional({ example: 'São Paulo' }) @IsOptional() @IsString() @Length(0, 100) city?: string;
  @ApiPropertyOptional({ example: 'SP' }) @IsOptional() @IsString() @Length(0, 100) state?: string;
  @ApiPropertyOptional({ example: 'BR', description: 'ISO 3166-1 alpha-2' }) @IsOptional() @IsString() @Length(2, 2) country?: string;
  @ApiPropertyOptional({ example: '01310-100' }) @IsOptional() @IsString() @Length(0, 20) zipCode?: string;
}

export class CreateOrganizationDto extends OnboardingInputDto {
  @ApiProperty({ example: 'Acme Payments Ltd', maxLength: 256 })
  @IsDefined()
  @IsString()
  @Length(1, 256)
  legalName: string;

  @ApiProperty({ example: '12345678000199', maxLength: 256 })
  @IsDefined()
  @IsString()
  @Length(1, 256)
  legalDocument: string;

  @ApiPropertyOptional({ example: 'Acme', maxLength: 256 })
  @IsOptional()
  @IsString()
  @Length(1, 256)
  doingBusinessAs?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  parentOrganizationId?: string;

  @ApiPropertyOptional({ type: AddressDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => AddressDto)
  address?: AddressDto;
}

export class UpdateOrganizationDto extends PartialType(OmitType(CreateOrganizationDto, ['legalDocument'] as const)) {}

export class OrganizationDto extends EntityTimestampsDto {
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) parentOrganizationId: string | null;
  @ApiProperty() legalName: string;
  @ApiProperty({ nullable: true, type: String }) doingBusinessAs: string | null;
  @ApiProperty() legalDocument: string;
  @ApiProperty({ type: AddressDto, nullable: true }) address: AddressDto | null;
}

export class OrganizationPageDto {
  @ApiProperty({ type: [OrganizationDto] }) items: OrganizationDto[];
  @ApiProperty({ example: 1 }) page: number;
  @ApiProperty({ example: 10 }) limit: number;
}
