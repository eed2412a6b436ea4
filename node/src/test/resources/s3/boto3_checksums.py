"""Drives a node's S3 additional checksums with boto3: PUT with each algorithm boto3 computes, GET/HEAD with
ChecksumMode, a wrong declared checksum refused, a composite multipart upload, get_object_attributes, partNumber;
and bucket tags.

Arguments: endpoint, bucket, access key, secret. Prints one line per check and 'ok all' at the end; exits non-zero
(with the reason) at the first failure.
"""
import base64
import hashlib
import os
import sys
import zlib

import boto3
import botocore
from botocore.config import Config

endpoint, bucket, key, secret = sys.argv[1:5]
s3 = boto3.client('s3', endpoint_url=endpoint, aws_access_key_id=key, aws_secret_access_key=secret,
                  region_name='us-east-1', config=Config(signature_version='s3v4', s3={'addressing_style': 'path'}))


def check(cond, what):
    if not cond:
        print('FAILED: ' + what)
        sys.exit(1)
    print('ok ' + what)


def b64(raw):
    return base64.b64encode(raw).decode()


body = os.urandom(200000)
expected = {
    'CRC32': b64(zlib.crc32(body).to_bytes(4, 'big')),
    'SHA1': b64(hashlib.sha1(body).digest()),
    'SHA256': b64(hashlib.sha256(body).digest()),
}
for algorithm, value in expected.items():
    name = 'boto3-' + algorithm
    s3.put_object(Bucket=bucket, Key=name, Body=body, ChecksumAlgorithm=algorithm)
    got = s3.get_object(Bucket=bucket, Key=name, ChecksumMode='ENABLED')
    check(got['Body'].read() == body, algorithm + ' body')
    check(got.get('Checksum' + algorithm) == value, algorithm + ' returned by GET: ' + str(got.get('Checksum' + algorithm)))
    head = s3.head_object(Bucket=bucket, Key=name, ChecksumMode='ENABLED')
    check(head.get('Checksum' + algorithm) == value, algorithm + ' returned by HEAD')

try:
    s3.put_object(Bucket=bucket, Key='boto3-wrong', Body=body, ChecksumSHA256=expected['SHA1'][:4] + expected['SHA256'][4:])
    check(False, 'a wrong SHA256 must be refused')
except botocore.exceptions.ClientError as e:
    check(e.response['Error']['Code'] == 'BadDigest', 'wrong SHA256 refused: ' + e.response['Error']['Code'])
try:
    s3.head_object(Bucket=bucket, Key='boto3-wrong')
    check(False, 'the refused object must not exist')
except botocore.exceptions.ClientError as e:
    check(e.response['Error']['Code'] == '404', 'nothing written')

parts = [os.urandom(5 * 1024 * 1024), os.urandom(4321)]
upload = s3.create_multipart_upload(Bucket=bucket, Key='boto3-mp', ChecksumAlgorithm='SHA1')
done = []
for i, data in enumerate(parts, 1):
    r = s3.upload_part(Bucket=bucket, Key='boto3-mp', UploadId=upload['UploadId'], PartNumber=i, Body=data,
                       ChecksumAlgorithm='SHA1')
    check(r.get('ChecksumSHA1') == b64(hashlib.sha1(data).digest()), 'part %d checksum' % i)
    done.append({'PartNumber': i, 'ETag': r['ETag'], 'ChecksumSHA1': r['ChecksumSHA1']})
# The upload's algorithm and type, and every part's checksum, in ListParts and ListMultipartUploads (an older
# botocore whose model lacks ChecksumType drops that element, so it is checked only where the model has it).
knows_type = 'ChecksumType' in s3.meta.service_model.operation_model('ListParts').output_shape.members
listed = s3.list_parts(Bucket=bucket, Key='boto3-mp', UploadId=upload['UploadId'])
check(listed.get('ChecksumAlgorithm') == 'SHA1', 'ListParts ChecksumAlgorithm ' + str(listed.get('ChecksumAlgorithm')))
check(not knows_type or listed.get('ChecksumType') == 'COMPOSITE', 'ListParts ChecksumType ' + str(listed.get('ChecksumType')))
check([p.get('ChecksumSHA1') for p in listed['Parts']] == [d['ChecksumSHA1'] for d in done], 'ListParts part checksums')
open_upload = [u for u in s3.list_multipart_uploads(Bucket=bucket, Prefix='boto3-mp')['Uploads']
               if u['UploadId'] == upload['UploadId']]
check(len(open_upload) == 1 and open_upload[0].get('ChecksumAlgorithm') == 'SHA1', 'ListMultipartUploads ChecksumAlgorithm')
check(upload.get('ChecksumAlgorithm') == 'SHA1' and (not knows_type or upload.get('ChecksumType') == 'COMPOSITE'),
      'CreateMultipartUpload echoes ChecksumAlgorithm and ChecksumType')
s3.complete_multipart_upload(Bucket=bucket, Key='boto3-mp', UploadId=upload['UploadId'], MultipartUpload={'Parts': done})
composite = b64(hashlib.sha1(b''.join(hashlib.sha1(p).digest() for p in parts)).digest()) + '-2'
head = s3.head_object(Bucket=bucket, Key='boto3-mp', ChecksumMode='ENABLED')
check(head.get('ChecksumSHA1') == composite, 'composite SHA1 ' + str(head.get('ChecksumSHA1')))
attributes = s3.get_object_attributes(Bucket=bucket, Key='boto3-mp',
                                      ObjectAttributes=['ETag', 'Checksum', 'ObjectParts', 'ObjectSize', 'StorageClass'])
check(attributes['ObjectSize'] == sum(len(p) for p in parts), 'ObjectSize')
check(attributes['ObjectParts']['TotalPartsCount'] == 2, 'TotalPartsCount')
check([p['Size'] for p in attributes['ObjectParts']['Parts']] == [len(p) for p in parts], 'part sizes')
check(attributes['Checksum']['ChecksumSHA1'] == composite, 'Checksum attribute')
second = s3.get_object(Bucket=bucket, Key='boto3-mp', PartNumber=2)
check(second['Body'].read() == parts[1], 'partNumber=2 body')
check(second['PartsCount'] == 2 and second['ResponseMetadata']['HTTPStatusCode'] == 206, 'partNumber=2 answer')
# Bucket tags, kept with the bucket.
tags_bucket = bucket + '-tags-' + boto3.__version__.replace('.', '-')
s3.create_bucket(Bucket=tags_bucket)
s3.put_bucket_tagging(Bucket=tags_bucket, Tagging={'TagSet': [{'Key': 'team', 'Value': 'media'}, {'Key': 'env', 'Value': 'test'}]})
check(sorted((t['Key'], t['Value']) for t in s3.get_bucket_tagging(Bucket=tags_bucket)['TagSet'])
      == [('env', 'test'), ('team', 'media')], 'bucket tags')
s3.delete_bucket_tagging(Bucket=tags_bucket)
try:
    s3.get_bucket_tagging(Bucket=tags_bucket)
    check(False, 'deleted bucket tags must be gone')
except botocore.exceptions.ClientError as e:
    check(e.response['Error']['Code'] == 'NoSuchTagSet', 'bucket tags deleted')
s3.delete_bucket(Bucket=tags_bucket)
print('ok all (boto3 ' + boto3.__version__ + ')')
